// The flat record writer (issue #21): an AuditEvent writes its members as JSON text as
// they are added. Its strings must be exactly what Boost.JSON writes (records written
// before and after the change verify alike), every kind of member must read back, and a
// card number anywhere in the text — a number member included — is redacted.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <limits>
#include <random>
#include <set>

#include "audit/audit_log.h"
#include "audit/record.h"
#include "tests/audit/audit_test_support.h"
#include "tests/support/e2e.h"

namespace paygate::audit {
namespace {

TEST(AuditRecord, StringsAreEscapedExactlyAsBoostJsonWritesThem) {
  std::mt19937 rng(21);
  std::vector<std::string> samples = {"", "plain", "quote \" and backslash \\", "\b\f\n\r\t", std::string("\0x", 2),
                                      "\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac", "/slash/"};
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 40, ' ');
    for (char& c : s) c = static_cast<char>(rng() % 128);  // every ASCII byte, controls included
    samples.push_back(s);
  }
  for (const auto& s : samples) {
    std::string ours;
    AuditEvent::append_json_string(s, ours);
    EXPECT_EQ(ours, boost::json::serialize(boost::json::value(boost::json::string_view(s.data(), s.size()))));
    EXPECT_EQ(boost::json::parse(ours).as_string(), boost::json::string_view(s.data(), s.size()));
  }
}

TEST(AuditRecord, EveryKindOfMemberReadsBackInOrder) {
  const std::set<std::string> ids = {"data-1", "fp-1"};
  AuditEvent e("request");
  e.with("text", std::string_view("a\"b"))
      .with("none", std::optional<std::string_view>())
      .with("some", std::optional<std::string_view>("x"))
      .with("flag", true)
      .with("negative", -42)
      .with("big", std::numeric_limits<std::uint64_t>::max())
      .with("maybe_number", std::optional<std::int64_t>())
      .with_strings("key_ids", ids)
      .with_strings("empty", std::vector<std::string_view>{})
      .with("nested", boost::json::value{{"k", 1.5}})
      .with("seq", 7)  // the envelope's own: ignored
      .with("mac", "forged");
  const auto o = e.object();
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"text", "none", "some", "flag", "negative", "big", "maybe_number", "key_ids",
                                            "empty", "nested"}));
  EXPECT_EQ(o.at("text").as_string(), "a\"b");
  EXPECT_TRUE(o.at("none").is_null());
  EXPECT_EQ(o.at("some").as_string(), "x");
  EXPECT_TRUE(o.at("flag").as_bool());
  EXPECT_EQ(o.at("negative").as_int64(), -42);
  EXPECT_EQ(o.at("big").as_uint64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_TRUE(o.at("maybe_number").is_null());
  EXPECT_EQ(o.at("key_ids").as_array().size(), 2u);
  EXPECT_EQ(o.at("key_ids").as_array()[0].as_string(), "data-1");
  EXPECT_TRUE(o.at("empty").as_array().empty());
  EXPECT_EQ(o.at("nested").at("k").as_double(), 1.5);
}

TEST(AuditRecord, ASealedRecordParsesAndVerifiesAndKeepsTheEnvelopeFirst) {
  auto ring = test::audit_ring({{"audit-1", crypto::KeyState::primary}});
  auto mac = crypto::ChainMac::for_signing(*ring).value();
  crypto::ChainTag previous{};
  std::string out = "earlier line\n";
  seal_record(mac, previous, 9, "2026-12-06T03:00:00.000Z", AuditEvent("request").with("type", "x").with("n", 1), out);
  const std::string line = out.substr(13, out.size() - 14);
  ASSERT_EQ(line.rfind("{\"seq\":9,\"time\":\"2026-12-06T03:00:00.000Z\",\"kid\":\"audit-1\",\"type\":\"request\",\"n\":1,", 0), 0u)
      << line;
  auto parsed = parse_record(line);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->seq, 9u);
  EXPECT_EQ(parsed->tag, previous);
  EXPECT_TRUE(mac.verify(crypto::ChainTag{}, parsed->canonical, parsed->tag));
}

TEST(AuditRecord, ACardNumberInANumberMemberIsRedactedToo) {
  const auto dir = paygate::test::make_temp_dir("audit-pan-number");
  auto ring = test::audit_ring({{"audit-1", crypto::KeyState::primary}});
  {
    auto log = AuditLog::open(test::options_for(dir), ring).value();
    ASSERT_TRUE(log->record(AuditEvent("request").with("amount", std::uint64_t{4111111111111111})).ok());
    ASSERT_TRUE(log->record(AuditEvent("request").with_strings("ids", std::vector<std::string>{"4111 1111 1111 1111"})).ok());
  }
  const auto records = test::records_of(dir);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_TRUE(records[2].at("redacted").as_bool());
  EXPECT_FALSE(records[2].contains("amount"));
  EXPECT_TRUE(records[3].at("redacted").as_bool());
}

}  // namespace
}  // namespace paygate::audit
