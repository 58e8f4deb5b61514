// The tampering matrix: each kind of change to a rotated, key-rotated chain is detected,
// named, and located (file, line, record), and a crash's torn line is not tampering.
#include <gtest/gtest.h>

#include "tests/audit/audit_test_support.h"

namespace paygate::audit {
namespace {

using paygate::test::make_temp_dir;
using test::audit_ring;
using test::lines_of;
using test::stream_files;
using test::write_lines;

class AuditVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("audit-verify");
    ring_ = audit_ring({{"audit-1", crypto::KeyState::active}, {"audit-2", crypto::KeyState::primary}});
    auto first = audit_ring({{"audit-1", crypto::KeyState::primary}});
    auto options = test::options_for(dir_);
    options.max_file_size = 2048;
    auto log = AuditLog::open(options, first).value();
    for (int i = 0; i < 60; ++i) {
      test::write_events(*log, 1);
      if (i % 5 == 0) log->flush();
      if (i == 30) log->set_keyring(ring_);
    }
    log.reset();
    files_ = stream_files(dir_);
    ASSERT_GE(files_.size(), 4u);
    const auto clean = verify_chain(files_, *ring_);
    ASSERT_TRUE(clean.findings.empty());
    total_ = clean.records;
  }

  VerifyReport verify() { return verify_chain(stream_files(dir_), *ring_); }

  std::filesystem::path dir_;
  std::shared_ptr<const crypto::KeyRing> ring_;
  std::vector<std::filesystem::path> files_;
  std::uint64_t total_ = 0;
};

void expect_single(const VerifyReport& report, FindingKind kind, const std::filesystem::path& file, std::size_t line) {
  ASSERT_EQ(report.findings.size(), 1u) << to_string(report.findings[0].kind) << ": " << report.findings[0].detail
                                        << (report.findings.size() > 1 ? " / " + report.findings[1].detail : "");
  EXPECT_EQ(report.findings[0].kind, kind) << report.findings[0].detail;
  EXPECT_EQ(report.findings[0].file, file.filename().string());
  EXPECT_EQ(report.findings[0].line, line);
  EXPECT_TRUE(report.tampered());
}

TEST_F(AuditVerify, AModifiedRecordIsFoundAndTheRestStillVerifies) {
  auto lines = lines_of(files_[1]);
  lines[2].replace(lines[2].find("approved"), 8, "declined");
  write_lines(files_[1], lines);
  const auto report = verify();
  expect_single(report, FindingKind::modified, files_[1], 3);
  EXPECT_EQ(report.verified, total_ - 1);
}

TEST_F(AuditVerify, ADeletedRecordIsFoundWithItsNumber) {
  auto lines = lines_of(files_[1]);
  const auto seq = boost::json::parse(lines[3]).at("seq").to_number<std::uint64_t>();
  lines.erase(lines.begin() + 3);
  write_lines(files_[1], lines);
  const auto report = verify();
  expect_single(report, FindingKind::deleted, files_[1], 4);
  EXPECT_NE(report.findings[0].detail.find(std::to_string(seq) + ".." + std::to_string(seq)), std::string::npos)
      << report.findings[0].detail;
}

TEST_F(AuditVerify, InsertedRecordsAreFoundReplayedOrForged) {
  auto lines = lines_of(files_[2]);
  lines.insert(lines.begin() + 4, lines[1]);  // a replayed copy of an earlier record
  write_lines(files_[2], lines);
  expect_single(verify(), FindingKind::inserted, files_[2], 5);

  write_lines(files_[2], lines_of(files_[2]));
  auto forged = lines_of(files_[2]);
  forged.erase(forged.begin() + 4);
  std::string fake = forged[3];
  fake.replace(fake.find("\"mac\":\"") + 7, 8, "deadbeef");  // a record nobody could seal
  forged.insert(forged.begin() + 4, fake);
  write_lines(files_[2], forged);
  const auto report = verify();
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings[0].kind, FindingKind::inserted);
  EXPECT_EQ(report.findings[0].line, 5u);
}

TEST_F(AuditVerify, ReorderedRecordsAreFound) {
  auto lines = lines_of(files_[1]);
  std::swap(lines[3], lines[4]);
  write_lines(files_[1], lines);
  const auto report = verify();
  expect_single(report, FindingKind::reordered, files_[1], 4);
  EXPECT_EQ(report.verified, total_);  // both records are authentic, only out of place
}

TEST_F(AuditVerify, AMissingFileOfTheSeriesIsFound) {
  std::filesystem::remove(files_[1]);
  const auto report = verify();
  ASSERT_EQ(report.findings.size(), 1u) << report.findings[0].detail;
  EXPECT_EQ(report.findings[0].kind, FindingKind::missing_file);
  EXPECT_EQ(report.findings[0].file, files_[2].filename().string());
  EXPECT_NE(report.findings[0].detail.find(files_[1].filename().string()), std::string::npos) << report.findings[0].detail;
  // And the first file of a series, from a folder.
  std::filesystem::remove(files_[0]);
  const auto headless = verify();
  ASSERT_FALSE(headless.findings.empty());
  EXPECT_EQ(headless.findings[0].kind, FindingKind::missing_file);
}

TEST_F(AuditVerify, AWrongKeyIsOneFindingNotTamperingWithEveryRecord) {
  // Same key ids, other material for audit-2.
  auto wrong = audit_ring({{"audit-1", crypto::KeyState::active}, {"audit-2", crypto::KeyState::primary}}, 0x51);
  auto half_wrong = crypto::test::ring({crypto::test::key("audit-1", crypto::KeyUse::audit, crypto::KeyState::active, 0x11),
                                        crypto::test::key("audit-2", crypto::KeyUse::audit, crypto::KeyState::primary, 0x77)});
  const auto report = verify_chain(files_, *half_wrong);
  ASSERT_EQ(report.findings.size(), 1u) << report.findings[0].detail;
  EXPECT_EQ(report.findings[0].kind, FindingKind::wrong_key);
  EXPECT_NE(report.findings[0].detail.find("audit-2"), std::string::npos);
  const auto all_wrong = verify_chain(files_, *wrong);
  EXPECT_EQ(all_wrong.findings.size(), 2u);  // one per key
  for (const auto& f : all_wrong.findings) EXPECT_EQ(f.kind, FindingKind::wrong_key);
  // A key the keyring lacks.
  auto missing = audit_ring({{"audit-1", crypto::KeyState::primary}});
  const auto unknown = verify_chain(files_, *missing);
  ASSERT_FALSE(unknown.findings.empty());
  EXPECT_EQ(unknown.findings[0].kind, FindingKind::unknown_key);
}

TEST_F(AuditVerify, ATornLastLineIsACrashNotTampering) {
  const auto last = files_.back();
  auto content = test::read_file(last);
  content.resize(content.size() - 30);  // the last record cut short, no newline
  { std::ofstream(last, std::ios::binary | std::ios::trunc) << content; }
  const auto report = verify();
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].kind, FindingKind::torn_tail);
  EXPECT_TRUE(report.torn());
  EXPECT_FALSE(report.tampered());
  EXPECT_EQ(report.verified, total_ - 1);
}

TEST_F(AuditVerify, AGarbageLineIsMalformed) {
  auto lines = lines_of(files_[0]);
  lines.insert(lines.begin() + 2, "this is not a record");
  write_lines(files_[0], lines);
  const auto report = verify();
  expect_single(report, FindingKind::malformed, files_[0], 3);
}

}  // namespace
}  // namespace paygate::audit
