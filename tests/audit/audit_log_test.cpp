// The audit writer: the chain across records, restarts, rotation by size and by age,
// audit key rotation, a torn line after a crash, a tampered tail, missing or retired keys,
// card numbers kept out, full disk with both queue policies, a deleted current file, and
// kill -9 under load.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include "card/detect.h"
#include "tests/audit/audit_test_support.h"
#include "tests/support/e2e.h"

namespace paygate::audit {
namespace {

using namespace std::chrono_literals;
using paygate::test::make_temp_dir;
using test::audit_ring;
using test::options_for;
using test::records_of;
using test::stream_files;
using test::write_events;

TEST(AuditLog, ChainsEveryRecordAndContinuesAcrossRestarts) {
  const auto dir = make_temp_dir("audit-chain");
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  {
    auto log = AuditLog::open(options_for(dir), ring);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    write_events(*log.value(), 100);
  }
  {
    auto log = AuditLog::open(options_for(dir), ring);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    write_events(*log.value(), 10);
  }
  const auto files = stream_files(dir);
  ASSERT_EQ(files.size(), 2u);  // one file per start
  const auto report = verify_chain(files, *ring);
  EXPECT_TRUE(report.findings.empty()) << to_string(report.findings.front().kind);
  // file_start + start + events + stop, twice.
  EXPECT_EQ(report.records, 2u * 3u + 110u);
  EXPECT_EQ(report.verified, report.records);
  const auto records = records_of(dir);
  for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].at("seq").to_number<std::uint64_t>(), i + 1);
  EXPECT_EQ(records.front().at("type").as_string(), "file_start");
  EXPECT_TRUE(records.front().at("prev_file").is_null());
  const auto& second_start = records[103];
  EXPECT_EQ(second_start.at("type").as_string(), "file_start");
  EXPECT_EQ(second_start.at("prev_file").as_string(), files[0].filename().string());
  EXPECT_EQ(second_start.at("prev_mac").as_string(), records[102].at("mac").as_string());
  EXPECT_EQ(records[1].at("type").as_string(), "start");
  EXPECT_EQ(records[102].at("type").as_string(), "stop");
}

// The review truncated the log while paygate was stopped and `audit verify` still said
// intact. Now every run ends with a stop record; a start that finds none says so, and
// verify reports it; a whole run's file removed is caught by an anchor kept off-host.
TEST(AuditLog, ATruncatedTailOrARemovedRunIsReportedAfterTheRestart) {
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  {  // a clean restart: nothing to report
    const auto dir = make_temp_dir("audit-clean-restart");
    { write_events(*AuditLog::open(options_for(dir), ring).value(), 5); }
    auto log = AuditLog::open(options_for(dir), ring).value();
    EXPECT_FALSE(log->unclean_start());
    log.reset();
    EXPECT_TRUE(verify_chain(stream_files(dir), *ring).findings.empty());
  }
  {  // the last records (the stop among them) cut while stopped
    const auto dir = make_temp_dir("audit-cut-tail");
    { write_events(*AuditLog::open(options_for(dir), ring).value(), 5); }
    const auto file = stream_files(dir).back();
    std::string text = paygate::test::read_file(file);
    for (int cut = 0; cut < 3; ++cut) text.erase(text.rfind('\n', text.size() - 2) + 1);
    std::ofstream(file, std::ios::trunc | std::ios::binary) << text;
    auto log = AuditLog::open(options_for(dir), ring).value();
    EXPECT_TRUE(log->unclean_start());
    log.reset();
    const auto report = verify_chain(stream_files(dir), *ring);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].kind, FindingKind::unclean_predecessor);
    EXPECT_TRUE(report.unclean());  // audit verify exits 3: not proven intact
  }
  {  // the newest run's file removed: the chain alone cannot tell; the anchor does
    const auto dir = make_temp_dir("audit-removed-run");
    { write_events(*AuditLog::open(options_for(dir), ring).value(), 5); }
    { write_events(*AuditLog::open(options_for(dir), ring).value(), 5); }
    const auto before = verify_chain(stream_files(dir), *ring);
    const ChainAnchor anchor{before.last_seq, before.last_tag};
    EXPECT_TRUE(verify_chain(stream_files(dir), *ring, true, anchor).findings.empty());
    std::filesystem::remove(stream_files(dir).back());
    { write_events(*AuditLog::open(options_for(dir), ring).value(), 5); }
    EXPECT_TRUE(verify_chain(stream_files(dir), *ring).findings.empty());  // consistent, yet a run is gone
    const auto report = verify_chain(stream_files(dir), *ring, true, anchor);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].kind, FindingKind::anchor_missing);
  }
}

TEST(AuditLog, RotatesBySizeAndByAgeAndWritesCheckpoints) {
  const auto dir = make_temp_dir("audit-rotate");
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  auto options = options_for(dir);
  options.max_file_size = 4096;
  options.checkpoint_every = 25;
  {
    auto log = AuditLog::open(options, ring).value();
    for (int i = 0; i < 200; ++i) {
      write_events(*log, 1);
      if (i % 10 == 0) log->flush();  // several groups, so size rotation has chances to act
    }
  }
  auto files = stream_files(dir);
  EXPECT_GE(files.size(), 5u);
  auto report = verify_chain(files, *ring);
  EXPECT_TRUE(report.findings.empty());
  int checkpoints = 0;
  for (const auto& r : records_of(dir)) checkpoints += r.at("type").as_string() == "checkpoint";
  EXPECT_EQ(checkpoints, 8);  // 200 events / 25

  const auto age_dir = make_temp_dir("audit-age");
  auto by_age = options_for(age_dir);
  by_age.rotate_interval = 50ms;
  {
    auto log = AuditLog::open(by_age, ring).value();
    write_events(*log, 3);
    log->flush();
    std::this_thread::sleep_for(120ms);
    write_events(*log, 3);
  }
  EXPECT_EQ(stream_files(age_dir).size(), 2u);
  EXPECT_TRUE(verify_chain(stream_files(age_dir), *ring).findings.empty());
}

TEST(AuditLog, AnnouncesANewAuditKeyUnderTheOldOneAtReloadAndAtStart) {
  const auto dir = make_temp_dir("audit-keys");
  auto ring1 = audit_ring({{"audit-1", crypto::KeyState::primary}});
  auto ring2 = audit_ring({{"audit-1", crypto::KeyState::active}, {"audit-2", crypto::KeyState::primary}});
  auto ring3 = audit_ring({{"audit-1", crypto::KeyState::active}, {"audit-2", crypto::KeyState::active},
                           {"audit-3", crypto::KeyState::primary}});
  {
    auto log = AuditLog::open(options_for(dir), ring1).value();
    write_events(*log, 5);
    log->set_keyring(ring2);  // a reload
    write_events(*log, 5);
  }
  {
    auto log = AuditLog::open(options_for(dir), ring3);  // a restart with a new primary
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    write_events(*log.value(), 5);
  }
  const auto report = verify_chain(stream_files(dir), *ring3);
  EXPECT_TRUE(report.findings.empty());
  std::vector<std::pair<std::string, std::string>> handovers;  // (signed by, new key)
  std::string kid_before;
  for (const auto& r : records_of(dir)) {
    if (r.at("type").as_string() == "audit_key_rotation") {
      handovers.emplace_back(std::string(r.at("kid").as_string()), std::string(r.at("new_kid").as_string()));
    } else if (!kid_before.empty() && r.at("kid").as_string() != kid_before) {
      ADD_FAILURE() << "key changed without a rotation record";
    }
    kid_before = std::string(r.at("kid").as_string());
    if (r.at("type").as_string() == "audit_key_rotation") kid_before = std::string(r.at("new_kid").as_string());
  }
  EXPECT_EQ(handovers, (std::vector<std::pair<std::string, std::string>>{{"audit-1", "audit-2"}, {"audit-2", "audit-3"}}));

  // The chain's last key retired too early: the writer cannot hand over, and says so.
  auto retired = audit_ring({{"audit-3", crypto::KeyState::retired}, {"audit-4", crypto::KeyState::primary}});
  auto refused = AuditLog::open(options_for(dir), retired);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, crypto::ErrorCode::retired_key);
  EXPECT_NE(refused.error().reason.find("audit-3"), std::string::npos) << refused.error().reason;
  // No audit key at all.
  auto none = crypto::test::ring({crypto::test::key("fp", crypto::KeyUse::fingerprint, crypto::KeyState::primary, 1)});
  auto no_key = AuditLog::open(options_for(make_temp_dir("audit-nokey")), none);
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.error().code, crypto::ErrorCode::unknown_key);
}

TEST(AuditLog, ATornLastLineIsReportedAsACrashAndTheChainContinues) {
  const auto dir = make_temp_dir("audit-torn");
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  { write_events(*AuditLog::open(options_for(dir), ring).value(), 20); }
  // A crash in the middle of a write: half a record at the end of the file.
  const auto last = stream_files(dir).back();
  const std::string half = R"({"seq":24,"time":"2026-11-29T23:30:00.000Z","kid":"audit-1","type":"requ)";
  { std::ofstream(last, std::ios::app | std::ios::binary) << half; }
  auto crashed = verify_chain(stream_files(dir), *ring);
  EXPECT_TRUE(crashed.torn());
  EXPECT_FALSE(crashed.tampered());
  EXPECT_EQ(crashed.verified, 23u);  // everything before the torn line
  {
    auto log = AuditLog::open(options_for(dir), ring);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    write_events(*log.value(), 5);
  }
  const auto files = stream_files(dir);
  ASSERT_EQ(files.size(), 2u);
  const auto report = verify_chain(files, *ring);
  EXPECT_FALSE(report.tampered());
  EXPECT_TRUE(report.unclean());  // the crash left no stop record
  EXPECT_EQ(report.verified, 23u + 8u);
  const auto second = test::lines_of(files[1]);
  EXPECT_NE(second.front().find("\"torn_tail\":true"), std::string::npos);
}

TEST(AuditLog, RefusesToContinueATamperedChain) {
  const auto dir = make_temp_dir("audit-tampered");
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  { write_events(*AuditLog::open(options_for(dir), ring).value(), 10); }
  const auto file = stream_files(dir).back();
  auto lines = test::lines_of(file);
  const auto at = lines[5].find("approved");
  lines[5].replace(at, 8, "declined");
  test::write_lines(file, lines);
  auto log = AuditLog::open(options_for(dir), ring);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, crypto::ErrorCode::authentication_failed);
  EXPECT_NE(log.error().reason.find(file.filename().string() + ":6"), std::string::npos) << log.error().reason;
}

TEST(AuditLog, NeverWritesACardNumber) {
  const auto dir = make_temp_dir("audit-pan");
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  {
    auto log = AuditLog::open(options_for(dir), ring).value();
    ASSERT_TRUE(log->record(AuditEvent("request").with("note", "card 4111111111111111 declined")).ok());
    ASSERT_TRUE(log->record(AuditEvent("request").with("masked_pan", "411111******1111").with("token", "4111119876541234")).ok());
  }
  const auto records = records_of(dir);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_TRUE(records[2].at("redacted").as_bool());
  EXPECT_EQ(records[2].at("type").as_string(), "request");
  EXPECT_EQ(records[3].at("masked_pan").as_string(), "411111******1111");  // masked values stay
  for (const auto& f : stream_files(dir)) EXPECT_TRUE(card::find_pans(test::read_file(f)).empty());
  EXPECT_TRUE(verify_chain(stream_files(dir), *ring).findings.empty());
}

// A disk that fills up: RLIMIT_FSIZE in a child process (no root, no tmpfs needed). With
// `block`, callers stop at the queue limit and nothing is lost once space returns; with
// `fail_closed`, callers are refused while writes fail.
void full_disk_child(const std::filesystem::path& dir, AuditLogOptions::OnFull policy) {
  std::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of a signal
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  auto options = options_for(dir);
  options.on_full = policy;
  options.queue_limit = 8;
  options.fsync = AuditLogOptions::Fsync::always;
  auto log = AuditLog::open(options, ring).value();
  rlimit limit{};
  getrlimit(RLIMIT_FSIZE, &limit);
  rlimit small = limit;
  small.rlim_cur = 4096;
  setrlimit(RLIMIT_FSIZE, &small);
  if (policy == AuditLogOptions::OnFull::fail_closed) {
    int refused = 0;
    for (int i = 0; i < 200 && refused == 0; ++i) {
      if (!log->record(AuditEvent("request").with("i", i)).ok()) ++refused;
    }
    if (refused == 0 || log->healthy()) _exit(10);
    setrlimit(RLIMIT_FSIZE, &limit);  // space returns
    for (int i = 0; i < 100 && !log->healthy(); ++i) std::this_thread::sleep_for(20ms);
    if (!log->record(AuditEvent("request").with("after", true)).ok()) _exit(11);
    _exit(0);
  }
  // block: a writer thread fills the disk; callers end up waiting, none returns an error.
  std::atomic<int> done{0};
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      if (!log->record(AuditEvent("request").with("i", i)).ok()) _exit(12);
      ++done;
    }
  });
  std::this_thread::sleep_for(500ms);
  const int stuck_at = done.load();
  if (stuck_at >= 100 || log->healthy()) _exit(13);  // it must be stuck, and say why
  std::this_thread::sleep_for(200ms);
  if (done.load() != stuck_at) _exit(14);
  setrlimit(RLIMIT_FSIZE, &limit);
  producer.join();  // resumes: every record goes in
  log.reset();
  _exit(0);
}

TEST(AuditLog, AFullDiskBlocksOrFailsClosedAndLosesNothing) {
  for (auto policy : {AuditLogOptions::OnFull::block, AuditLogOptions::OnFull::fail_closed}) {
    const auto dir = make_temp_dir("audit-full");
    const pid_t pid = fork();
    if (pid == 0) full_disk_child(dir, policy);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0) << "policy " << static_cast<int>(policy);
    auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
    const auto report = verify_chain(stream_files(dir), *ring);
    EXPECT_TRUE(report.findings.empty()) << to_string(report.findings.front().kind) << " " << report.findings.front().detail;
    if (policy == AuditLogOptions::OnFull::block) {
      int requests = 0;
      for (const auto& r : records_of(dir)) requests += r.at("type").as_string() == "request";
      EXPECT_EQ(requests, 100);  // every record the callers handed over
    }
  }
}

TEST(AuditLog, ADeletedCurrentFileIsNoticedAndTheLogContinuesInANewFile) {
  const auto dir = make_temp_dir("audit-deleted");
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  {
    auto log = AuditLog::open(options_for(dir), ring).value();
    write_events(*log, 5);
    log->flush();
    std::filesystem::remove(log->current_file());
    write_events(*log, 5);
    log->flush();
    EXPECT_NE(log->last_error().find("was deleted"), std::string::npos) << log->last_error();
  }
  const auto files = stream_files(dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(test::lines_of(files[0]).front().find("\"previous_file_deleted\":true"), std::string::npos);
  const auto report = verify_chain(files, *ring);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].kind, FindingKind::missing_file);
}

TEST(AuditLog, AnUnusableFolderIsAClearError) {
  const auto base = make_temp_dir("audit-unusable");
  std::ofstream(base / "file") << "not a folder";
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  auto log = AuditLog::open(options_for(base / "file" / "audit"), ring);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, crypto::ErrorCode::unavailable);
  EXPECT_NE(log.error().reason.find("cannot create the audit folder"), std::string::npos) << log.error().reason;
}

// PCI DSS 10.3.1: the audit folder and its files are for the service user only.
TEST(AuditLog, TheFolderAndFilesAreForTheServiceUserOnly) {
  const auto dir = make_temp_dir("audit-modes") / "audit";
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  {
    auto log = AuditLog::open(options_for(dir), ring).value();
    ASSERT_TRUE(log->record(AuditEvent("test")).ok());
  }
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::size_t files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() != ".log") continue;
    ASSERT_EQ(::stat(f.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f.path();
    ++files;
  }
  EXPECT_GE(files, 1u);
}

TEST(AuditLog, OneWriterPerStream) {
  const auto dir = make_temp_dir("audit-lock");
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  auto first = AuditLog::open(options_for(dir), ring).value();
  auto options = options_for(dir);
  options.lock_wait = 100ms;
  auto second = AuditLog::open(options, ring);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().reason.find("another process"), std::string::npos);
  options.stream = "operator";  // another stream is fine
  EXPECT_TRUE(AuditLog::open(options, ring).ok());
}

}  // namespace
}  // namespace paygate::audit

namespace paygate::audit {
namespace {

// kill -9 under load: every record the writer acknowledged (fsync always) is on disk,
// the chain verifies up to at most a torn line, and a restart continues it.
TEST(AuditLog, KillNineUnderLoadLosesNoAcknowledgedRecord) {
  const auto dir = make_temp_dir("audit-kill");
  paygate::test::ChildProcess loop({paygate::test::binary("audit_loop").string(), dir.string()}, dir / "acknowledged.txt");
  auto acknowledged = [&] {
    const std::string text = paygate::test::read_file(dir / "acknowledged.txt");
    return std::count(text.begin(), text.end(), '\n');
  };
  for (int i = 0; i < 1000 && acknowledged() < 300; ++i) std::this_thread::sleep_for(10ms);
  loop.stop(SIGKILL);
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  const auto crashed = verify_chain(stream_files(dir), *ring);
  EXPECT_FALSE(crashed.tampered()) << crashed.findings.front().detail;
  std::set<std::string> on_disk;
  for (const auto& f : stream_files(dir)) {
    for (const auto& line : test::lines_of(f)) {
      auto parsed = parse_record(line);
      if (parsed && parsed->object.contains("request_id")) on_disk.insert(std::string(parsed->object.at("request_id").as_string()));
    }
  }
  std::istringstream ids(paygate::test::read_file(dir / "acknowledged.txt"));
  int checked = 0;
  for (std::string id; std::getline(ids, id);) {
    EXPECT_TRUE(on_disk.contains(id)) << id;
    ++checked;
  }
  EXPECT_GE(checked, 300);
  { write_events(*AuditLog::open(options_for(dir), ring).value(), 3); }
  EXPECT_FALSE(verify_chain(stream_files(dir), *ring).tampered());
}

}  // namespace
}  // namespace paygate::audit

namespace paygate::audit {
namespace {

// record_async: with fsync always the callback runs once the record is on disk; with a
// failing fail_closed log it runs with the refusal.
TEST(AuditLog, AsyncRecordsReportWhenTheyAreOnDisk) {
  const auto dir = make_temp_dir("audit-async");
  auto ring = audit_ring({{"audit-1", crypto::KeyState::primary}});
  auto options = options_for(dir);
  options.fsync = AuditLogOptions::Fsync::always;
  auto log = AuditLog::open(options, ring).value();
  std::promise<bool> on_disk;
  log->record_async(AuditEvent("request").with("request_id", "async-1"), [&](crypto::Status status) {
    // Called after the fsync: the line is in the file already.
    const bool there = test::read_file(log->current_file()).find("async-1") != std::string::npos;
    on_disk.set_value(status.ok() && there);
  });
  auto future = on_disk.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(future.get());
}

}  // namespace
}  // namespace paygate::audit
