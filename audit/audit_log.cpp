#include "audit/audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/files.h"
#include "card/detect.h"
#include "audit/verify.h"

namespace paygate::audit {
namespace {

using crypto::ErrorCode;
using crypto::make_error;
using Clock = std::chrono::steady_clock;

std::string errno_text(int error) { return std::strerror(error); }

// A caller bug, caught before sealing: the record still says what happened, without the
// value. One scan of the record's JSON text covers every key and value (numbers too).
void redact_card_numbers(AuditEvent& event) {
  if (!card::find_pans(event.members()).empty()) {
    event.replace_members(R"(,"redacted":true,"reason":"a field held a card number")");
  }
}

bool write_all(int fd, std::string_view data, int& error) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void sync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

struct AuditLog::State {
  AuditLogOptions options;

  // Shared with callers, under `mu`.
  mutable std::mutex mu;
  std::condition_variable work_cv, room_cv, durable_cv;
  std::deque<AuditEvent> queue;
  std::uint64_t submitted = 0;
  std::uint64_t durable = 0;
  bool stopping = false;
  bool healthy = true;
  // healthy, readable without the lock: every payment asks before it leaves paygate.
  std::atomic<bool> healthy_now{true};
  std::uint64_t write_failures = 0;
  std::string last_error;
  std::shared_ptr<const crypto::KeyRing> pending_keyring;
  std::filesystem::path current_file_shown;
  std::uint64_t written = 0;
  // record_async callers waiting for their record's fsync (always), by ticket.
  std::deque<std::pair<std::uint64_t, std::function<void(crypto::Status)>>> durable_waiters;

  // Takes the waiters whose records are on disk (or, with `failed`, every waiter of a
  // fail_closed log), to be called without the lock.
  std::vector<std::function<void(crypto::Status)>> take_waiters(bool failed) {
    std::vector<std::function<void(crypto::Status)>> ready;
    while (!durable_waiters.empty() && (failed || durable_waiters.front().first <= durable)) {
      ready.push_back(std::move(durable_waiters.front().second));
      durable_waiters.pop_front();
    }
    return ready;
  }

  // The writer's own (the writer thread, or open() before it starts).
  std::shared_ptr<const crypto::KeyRing> keyring;
  std::shared_ptr<crypto::ChainMac> signer;
  crypto::ChainTag previous{};
  std::uint64_t next_seq = 1;
  int fd = -1;
  int lock_fd = -1;
  std::filesystem::path file;
  std::uint64_t file_size = 0;
  Clock::time_point file_opened;
  std::uint64_t since_checkpoint = 0;
  std::uint64_t records_in_file = 0;
  bool unclean_start = false;
  std::thread writer;

  ~State() {
    if (fd >= 0) ::close(fd);
    if (lock_fd >= 0) ::close(lock_fd);  // releases the flock
  }

  crypto::Result<std::uint64_t> enqueue(AuditEvent event, std::unique_lock<std::mutex>& lk);

  void seal(const AuditEvent& event, std::string& out) {
    seal_record(*signer, previous, next_seq++, utc_timestamp_now(), event, out);
  }

  // Opens a fresh file for the next record and writes its file_start record.
  bool start_file(const std::string& prev_file, bool torn_tail, bool previous_deleted, std::string& error,
                  bool unclean_predecessor = false) {
    const std::string name = audit_file_name(options.stream, next_seq);
    const auto path = options.dir / name;
    const int new_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (new_fd < 0) {
      error = "cannot create " + path.string() + ": " + errno_text(errno);
      return false;
    }
    AuditEvent start("file_start");
    start.with("file", name)
        .with("prev_file", prev_file.empty() ? boost::json::value(nullptr) : boost::json::value(prev_file))
        .with("prev_seq", next_seq - 1)
        .with("prev_mac", tag_hex(previous));
    if (torn_tail) start.with("torn_tail", true);
    if (unclean_predecessor) start.with("unclean_predecessor", true);
    if (previous_deleted) start.with("previous_file_deleted", true);
    const auto saved_previous = previous;
    const auto saved_seq = next_seq;
    std::string line;
    seal(start, line);
    int write_error = 0;
    if (!write_all(new_fd, line, write_error) || ::fsync(new_fd) != 0) {
      error = "cannot write " + path.string() + ": " + errno_text(write_error ? write_error : errno);
      ::close(new_fd);
      ::unlink(path.c_str());
      previous = saved_previous;
      next_seq = saved_seq;
      return false;
    }
    sync_dir(options.dir);
    if (fd >= 0) ::close(fd);
    fd = new_fd;
    file = path;
    file_size = line.size();
    file_opened = Clock::now();
    records_in_file = 1;
    std::lock_guard lock(mu);
    current_file_shown = path;
    return true;
  }

  // Seals a batch into one buffer, writes it with one write and one fsync. On failure
  // nothing of the batch counts: the file is cut back and the chain state restored, so
  // the caller can retry the same events.
  bool write_batch(const std::deque<AuditEvent>& events, std::shared_ptr<const crypto::KeyRing> new_keyring,
                   std::string& error) {
    struct stat st {};
    const bool deleted = ::fstat(fd, &st) == 0 && st.st_nlink == 0;
    const bool too_big = file_size >= options.max_file_size;
    const bool too_old = Clock::now() - file_opened >= options.rotate_interval;
    if (deleted || too_big || too_old) {
      if (!start_file(file.filename().string(), false, deleted, error)) return false;
      if (deleted) error = "the current audit file " + file.string() + " was deleted; continued in a new file";
    }
    const auto saved_previous = previous;
    const auto saved_seq = next_seq;
    const auto saved_signer = signer;
    const auto saved_keyring = keyring;
    const auto saved_checkpoint = since_checkpoint;
    const auto saved_in_file = records_in_file;
    std::string buffer;
    if (new_keyring) {
      auto next_signer = crypto::ChainMac::for_signing(*new_keyring);
      if (next_signer && next_signer.value().key_id() != signer->key_id()) {
        // Announced under the old key, so the chain proves who handed over to whom.
        seal(AuditEvent("audit_key_rotation").with("new_kid", next_signer.value().key_id()), buffer);
        signer = std::make_shared<crypto::ChainMac>(std::move(next_signer).value());
      }
      keyring = std::move(new_keyring);
    }
    buffer.reserve(events.size() * 1024);
    for (const AuditEvent& event : events) {
      seal(event, buffer);
      ++records_in_file;
      if (++since_checkpoint >= options.checkpoint_every) {
        since_checkpoint = 0;
        seal(AuditEvent("checkpoint").with("count", next_seq - 1).with("file_records", records_in_file), buffer);
        ++records_in_file;
      }
    }
    int write_error = 0;
    if (!write_all(fd, buffer, write_error) || ::fsync(fd) != 0) {
      error = "cannot write " + file.string() + ": " + errno_text(write_error ? write_error : errno);
      [[maybe_unused]] const int cut = ::ftruncate(fd, static_cast<off_t>(file_size));
      previous = saved_previous;
      next_seq = saved_seq;
      signer = saved_signer;
      keyring = saved_keyring;
      since_checkpoint = saved_checkpoint;
      records_in_file = saved_in_file;
      return false;
    }
    file_size += buffer.size();
    return true;
  }

  void run() {
    std::unique_lock lk(mu);
    for (;;) {
      work_cv.wait_for(lk, std::chrono::seconds(1), [&] { return !queue.empty() || stopping || pending_keyring; });
      if (options.fsync == AuditLogOptions::Fsync::batch && !queue.empty() && !stopping) {
        // Group commit: let the batch interval gather more records for the same fsync.
        work_cv.wait_for(lk, options.batch_interval, [&] { return stopping || queue.size() >= options.queue_limit / 2; });
      }
      if (queue.empty() && !pending_keyring) {
        if (stopping) return;
        continue;
      }
      std::deque<AuditEvent> batch;
      batch.swap(queue);
      auto new_keyring = std::move(pending_keyring);
      pending_keyring.reset();
      lk.unlock();
      std::string error;
      const bool ok = write_batch(batch, new_keyring, error);
      lk.lock();
      if (ok) {
        durable += batch.size();
        written += batch.size();
        healthy = true;
        healthy_now.store(true, std::memory_order_relaxed);
        if (!error.empty()) last_error = error;
        durable_cv.notify_all();
        room_cv.notify_all();
        auto ready = take_waiters(false);
        lk.unlock();
        for (auto& done : ready) done({});
        lk.lock();
        continue;
      }
      // Nothing is dropped: the batch goes back to the front of the queue and the writer
      // retries; meanwhile `block` callers wait and `fail_closed` callers are refused.
      healthy = false;
      healthy_now.store(false, std::memory_order_relaxed);
      ++write_failures;
      last_error = error;
      durable_cv.notify_all();
      if (options.on_full == AuditLogOptions::OnFull::fail_closed) {
        // As record() does: fail_closed callers are refused while writes fail (their
        // records stay queued and are written once the disk recovers).
        auto refused = take_waiters(true);
        lk.unlock();
        for (auto& done : refused) done(make_error(ErrorCode::unavailable, "the audit log is failing: " + error));
        lk.lock();
      }
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue.push_front(std::move(*it));
      if (new_keyring && !pending_keyring) pending_keyring = std::move(new_keyring);
      if (stopping && ++failed_at_stop >= 50) {
        std::fprintf(stderr, "paygate audit: giving up at shutdown with %zu records unwritten: %s\n", queue.size(),
                     error.c_str());
        return;
      }
      work_cv.wait_for(lk, std::chrono::milliseconds(100), [&] { return false; });
    }
  }
  int failed_at_stop = 0;
};

AuditLog::AuditLog(std::unique_ptr<State> state) : state_(std::move(state)) {}

crypto::Result<std::unique_ptr<AuditLog>> AuditLog::open(AuditLogOptions options,
                                                         std::shared_ptr<const crypto::KeyRing> keyring) {
  if (!valid_stream_name(options.stream)) return make_error(ErrorCode::invalid_argument, "bad audit stream name");
  if (!keyring) return make_error(ErrorCode::unknown_key, "the audit log needs a keyring");
  auto state = std::make_unique<State>();
  State& s = *state;
  s.options = std::move(options);
  std::error_code ec;
  std::filesystem::create_directories(s.options.dir, ec);
  if (ec) return make_error(ErrorCode::unavailable, "cannot create the audit folder " + s.options.dir.string() + ": " + ec.message());
  ::chmod(s.options.dir.c_str(), 0700);

  // One writer per stream: a second process waits, then gives up with a clear error.
  const auto lock_path = s.options.dir / (s.options.stream + ".lock");
  s.lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s.lock_fd < 0) return make_error(ErrorCode::unavailable, "cannot open " + lock_path.string() + ": " + errno_text(errno));
  const auto give_up = Clock::now() + s.options.lock_wait;
  while (::flock(s.lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (Clock::now() >= give_up) {
      return make_error(ErrorCode::unavailable, "another process writes the audit stream " + s.options.stream + " in " +
                                                    s.options.dir.string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  auto primary = crypto::ChainMac::for_signing(*keyring);
  if (!primary) return primary.error();
  s.keyring = keyring;

  // Continue the chain from the stream's last file, after checking it.
  std::string prev_file;
  bool torn = false;
  bool unclean = false;
  auto files = list_audit_files(s.options.dir)[s.options.stream];
  if (!files.empty()) {
    std::vector<std::filesystem::path> tail{files.back()};
    if (files.size() > 1) tail.insert(tail.begin(), files[files.size() - 2]);  // in case the last holds no record
    VerifyReport report = verify_chain(tail, *keyring, false);
    for (const auto& f : report.findings) {
      // A crash is not tampering: the new file says so (and audit verify reports it).
      if (f.kind == FindingKind::torn_tail || f.kind == FindingKind::unclean_predecessor) continue;
      if (f.kind == FindingKind::unknown_key) {
        return make_error(ErrorCode::retired_key,
                          "audit: the chain's last audit key " + report.last_key_id +
                              " is unknown or retired in the keyring; keep it active until paygate has written the "
                              "rotation record that hands over to the new primary");
      }
      return make_error(ErrorCode::authentication_failed,
                        "audit: " + f.file + ":" + std::to_string(f.line) + ": record " + std::to_string(f.seq) + " " +
                            std::string(to_string(f.kind)) + " (" + f.detail + "); run `paygate audit verify " +
                            s.options.dir.string() + "`");
    }
    if (report.last_seq == 0) return make_error(ErrorCode::authentication_failed, "audit: the last files hold no record");
    s.previous = report.last_tag;
    s.next_seq = report.last_seq + 1;
    torn = report.last_file_torn;
    // Every run ends with a stop record; a chain that ends otherwise lost its end (a
    // crash, or records or files removed while paygate was stopped).
    unclean = torn || report.last_type != "stop";
    prev_file = files.back().filename().string();
    if (report.last_key_id != primary.value().key_id()) {
      auto old_signer = crypto::ChainMac::for_verifying(*keyring, report.last_key_id);
      if (!old_signer) {
        return make_error(ErrorCode::retired_key, "audit: the chain's last key " + report.last_key_id + " is not usable (" +
                                                      old_signer.error().reason +
                                                      "); keep it active until paygate has written the rotation record");
      }
      s.signer = std::make_shared<crypto::ChainMac>(std::move(old_signer).value());
    }
  }
  if (!s.signer) s.signer = std::make_shared<crypto::ChainMac>(std::move(primary).value());
  std::string error;
  if (!s.start_file(prev_file, torn, false, error, unclean))
    return make_error(ErrorCode::unavailable, "audit: " + error);
  s.unclean_start = unclean;
  // The start record (after the key handover, when there is one).
  std::deque<AuditEvent> first;
  first.push_back(AuditEvent("start").with("stream", s.options.stream).with("pid", static_cast<std::int64_t>(::getpid())));
  if (!s.write_batch(first, keyring, error)) return make_error(ErrorCode::unavailable, "audit: " + error);
  auto log = std::unique_ptr<AuditLog>(new AuditLog(std::move(state)));
  log->state_->writer = std::thread([st = log->state_.get()] { st->run(); });
  return log;
}

AuditLog::~AuditLog() {
  {
    // The stop record goes in past the queue limit and without waiting: shutting down
    // must not hang on a full queue or a failing disk (the writer retries, then reports).
    std::lock_guard lock(state_->mu);
    state_->queue.push_back(AuditEvent("stop").with("stream", state_->options.stream));
    ++state_->submitted;
    state_->stopping = true;
  }
  state_->work_cv.notify_all();
  state_->room_cv.notify_all();
  if (state_->writer.joinable()) state_->writer.join();
}

// Admits a record under `lk`: the queue policy (fail_closed refuses, block waits for
// room), then the queue. Returns its ticket, or the refusal. The caller redacted it.
crypto::Result<std::uint64_t> AuditLog::State::enqueue(AuditEvent event, std::unique_lock<std::mutex>& lk) {
  if (options.on_full == AuditLogOptions::OnFull::fail_closed) {
    if (!healthy) return make_error(ErrorCode::unavailable, "the audit log is failing: " + last_error);
    if (queue.size() >= options.queue_limit) return make_error(ErrorCode::unavailable, "the audit queue is full");
  } else {
    room_cv.wait(lk, [&] { return queue.size() < options.queue_limit || stopping; });
  }
  queue.push_back(std::move(event));
  // The writer waits for the first record, then lets the batch interval gather more (or
  // until half the queue is full). Waking it for every record cost a futex wake and a
  // context switch per request (issue #21); only those two moments need it.
  if (queue.size() == 1 || queue.size() == options.queue_limit / 2) work_cv.notify_one();
  return ++submitted;
}

crypto::Status AuditLog::record(AuditEvent event) {
  State& s = *state_;
  redact_card_numbers(event);
  std::unique_lock lk(s.mu);
  auto ticket = s.enqueue(std::move(event), lk);
  if (!ticket) return ticket.error();
  if (s.options.fsync == AuditLogOptions::Fsync::always) {
    // fail_closed stops waiting when the writer fails: the caller refuses its request (the
    // record stays queued and is written once the disk recovers).
    const bool fail_closed = s.options.on_full == AuditLogOptions::OnFull::fail_closed;
    s.durable_cv.wait(lk, [&] { return s.durable >= ticket.value() || (fail_closed && !s.healthy); });
    if (s.durable < ticket.value()) return make_error(ErrorCode::unavailable, "the audit log is failing: " + s.last_error);
  }
  return {};
}

void AuditLog::record_async(AuditEvent event, std::function<void(crypto::Status)> done) {
  State& s = *state_;
  redact_card_numbers(event);
  std::unique_lock lk(s.mu);
  auto ticket = s.enqueue(std::move(event), lk);
  if (ticket && s.options.fsync == AuditLogOptions::Fsync::always) {
    s.durable_waiters.emplace_back(ticket.value(), std::move(done));
    return;
  }
  lk.unlock();
  done(ticket ? crypto::Status{} : crypto::Status(ticket.error()));
}

void AuditLog::set_keyring(std::shared_ptr<const crypto::KeyRing> keyring) {
  {
    std::lock_guard lock(state_->mu);
    state_->pending_keyring = std::move(keyring);
  }
  state_->work_cv.notify_one();
}

void AuditLog::flush() {
  std::unique_lock lk(state_->mu);
  const std::uint64_t target = state_->submitted;
  state_->work_cv.notify_one();
  state_->durable_cv.wait(lk, [&] { return state_->durable >= target; });
}

bool AuditLog::syncs_each_record() const { return state_->options.fsync == AuditLogOptions::Fsync::always; }

bool AuditLog::healthy() const { return state_->healthy_now.load(std::memory_order_relaxed); }

AuditLog::Stats AuditLog::stats() const {
  std::lock_guard lock(state_->mu);
  return {state_->queue.size(), state_->write_failures, state_->healthy};
}

std::string AuditLog::last_error() const {
  std::lock_guard lock(state_->mu);
  return state_->last_error;
}

std::filesystem::path AuditLog::current_file() const {
  std::lock_guard lock(state_->mu);
  return state_->current_file_shown;
}

bool AuditLog::unclean_start() const { return state_->unclean_start; }

}  // namespace paygate::audit
