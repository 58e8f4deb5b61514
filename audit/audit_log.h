// The audit log writer: records go through a bounded queue to one writer thread that
// seals them into the chain, writes them in groups (one write, one fsync per group) and
// rotates files by size and age. Nothing is dropped silently: with on_full `block` a
// caller waits for room (and, if the disk fails, the callers stop rather than lose
// records); with `fail_closed` record() refuses and the caller answers 503.
//
// Opening continues the chain: it verifies the stream's last file, notes a torn last
// line (a crash), starts a new file whose first record names the previous file and its
// last MAC, and announces a changed audit key with a record signed by the old key.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "audit/files.h"
#include "audit/record.h"
#include "crypto/keyring.h"
#include "crypto/status.h"

namespace paygate::audit {

struct AuditLogOptions {
  std::filesystem::path dir;
  std::string stream{gateway_stream};
  enum class Fsync { always, batch } fsync = Fsync::batch;
  std::chrono::milliseconds batch_interval{5};
  std::size_t queue_limit = 65536;
  enum class OnFull { block, fail_closed } on_full = OnFull::block;
  std::uint64_t max_file_size = 64ull << 20;
  std::chrono::milliseconds rotate_interval{24 * 3600 * 1000};
  std::uint64_t checkpoint_every = 10000;
  // How long open() waits for another process that writes the same stream.
  std::chrono::milliseconds lock_wait{10'000};
};

class AuditLog {
 public:
  // Errors: key_file/unknown_key/retired_key (audit keys), unavailable (directory, lock,
  // files), authentication_failed (the last file's tail does not verify).
  static crypto::Result<std::unique_ptr<AuditLog>> open(AuditLogOptions options,
                                                        std::shared_ptr<const crypto::KeyRing> keyring);
  // Writes a stop record and everything queued, then closes.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues a record. fsync `always`: returns once it is on disk. Errors (unavailable)
  // only with on_full fail_closed: the queue is full or the writer is failing.
  crypto::Status record(AuditEvent event);

  // As record(), for callers that must not wait on a thread (the gateway's network
  // threads): `done` runs once the record is queued (fsync batch) or on disk (fsync
  // always) — on the writer's thread, or on the caller's when it can tell at once. With
  // on_full block a full queue still makes the caller wait for room (rare: the writer
  // drains ~100 k records/s).
  void record_async(AuditEvent event, std::function<void(crypto::Status)> done);

  // A new keyring (reload): when its primary audit key differs, the next record announces
  // the new key id, signed by the old key, and later records use the new key.
  void set_keyring(std::shared_ptr<const crypto::KeyRing> keyring);

  // Waits until every record queued so far is written and synced.
  void flush();

  bool syncs_each_record() const;  // fsync always: record() waits for the disk
  bool healthy() const;          // false while writes fail
  // For metrics: records waiting for the writer, batches it could not write (kept and
  // retried), and whether writes succeed now.
  struct Stats {
    std::size_t queued = 0;
    std::uint64_t write_failures = 0;
    bool healthy = true;
  };
  Stats stats() const;
  // The previous run did not end with its stop record (a crash, or its newest records or
  // files were removed while stopped): this run's file_start says unclean_predecessor.
  bool unclean_start() const;
  std::string last_error() const;  // the latest write failure, for health output
  std::filesystem::path current_file() const;

 private:
  struct State;
  explicit AuditLog(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace paygate::audit
