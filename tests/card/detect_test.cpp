// The PAN scanner: what it must find (card numbers in any shape a log or JSON holds
// them), what it must not (long ids, timestamps, hex, grouped small numbers), a measured
// false-positive rate, and masking that keeps a line's shape.
#include "card/detect.h"
#include "card/mask.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/support/vectors.h"

namespace paygate::card {
namespace {

std::vector<std::string> masked(std::string_view text, const PanScanOptions& options = {}) {
  std::vector<std::string> out;
  for (const auto& m : find_pans(text, options)) out.push_back(m.masked);
  return out;
}

TEST(PanScan, FindsCardNumbersInEveryShapeALogHolds) {
  using V = std::vector<std::string>;
  EXPECT_EQ(masked("pan=4111111111111111 ok"), V{"411111******1111"});
  EXPECT_EQ(masked(R"({"card":{"number":"5555555555554444"}})"), V{"555555******4444"});
  EXPECT_EQ(masked(R"({"msg":"card \"4242424242424242\" declined"})"), V{"424242******4242"});
  EXPECT_EQ(masked("4111 1111 1111 1111"), V{"411111******1111"});
  EXPECT_EQ(masked("4111-1111-1111-1111."), V{"411111******1111"});
  EXPECT_EQ(masked("amex 3782 822463 10005 end"), V{"378282*****0005"});
  EXPECT_EQ(masked("%B4111111111111111^DOE/JOHN^30121010000"), V{"411111******1111"});  // track 1
  EXPECT_EQ(masked(";4111111111111111=30121010000000000?"), V{"411111******1111"});     // track 2
  EXPECT_EQ(masked("4111111111111111D30121010000000000"), V{"411111******1111"});  // track 2, BCD separator
  EXPECT_EQ(masked("GET /pay?pan=4000056655665556&x=1"), V{"400005******5556"});
  EXPECT_EQ(masked("two: 4111111111111111, 5105105105105100"), (V{"411111******1111", "510510******5100"}));
  EXPECT_EQ(masked("uatp 135410014004955"), V{"135410*****4955"});  // 15-digit airline card
  EXPECT_EQ(masked("1000000000000008"), V{"100000******0008"});     // a known test PAN outside the rules
}

TEST(PanScan, IgnoresNumbersThatAreNotCardNumbers) {
  for (const char* text : {
           "id 41111111111111111111",                          // 20 digits: too long for a PAN
           "4111111111111112",                                 // Luhn fails
           "ts=1764456000123 dur=1764456000123456",            // epoch milliseconds and microseconds
           "mac=a4111111111111111b tag 9f4111111111111111e2",  // inside hex
           "card4111111111111111",                             // glued to a word (a documented miss)
           "took 12 34 56 78 90 12 34 56 ms",                  // small numbers with spaces
           "2026-11-29 23:30:00.123 10.0.0.1:8443",            // dates, addresses
           "uuid 3f1c9a2e-7b4d-4e8a-9c1f-2a6b8d0e5f71",
           "amount 4111111111 and 411111",  // too short
           "8111111111111111116",           // 8: not a payment card prefix
       }) {
    EXPECT_TRUE(find_pans(text).empty()) << text;
  }
}

// Every number in the shared test-PAN file: found when given as known test PANs, and by
// the rules alone when Luhn-valid with a card prefix and a PAN's length.
TEST(PanScan, FindsEveryTestPanOfTheSharedVectors) {
  const auto pans = test::load_vectors("test_pans.json").as_array();
  PanScanOptions known;
  for (const auto& p : pans) known.known_pans.insert(std::string(p.at("pan").as_string()));
  int by_rules = 0;
  for (const auto& p : pans) {
    const std::string pan(p.at("pan").as_string());
    const bool pan_length = pan.size() >= 13 && pan.size() <= 19;
    EXPECT_EQ(find_pans("x " + pan + " y", known).size(), pan_length ? 1u : 0u) << pan;
    const bool rules = pan_length && p.at("luhn_valid").as_bool() &&
                       ((pan[0] >= '2' && pan[0] <= '6') || (pan[0] == '1' && pan.size() == 15));
    if (rules) {
      ++by_rules;
      EXPECT_EQ(find_pans(pan).size(), 1u) << pan;
    }
  }
  EXPECT_GT(by_rules, 80);
}

// False positives on what logs are made of: random timestamps, ids, hex, UUIDs, amounts,
// ports and durations. Measured, and bounded.
TEST(PanScan, FalsePositiveRateOnOrdinaryLogTextIsLow) {
  std::mt19937_64 rng(20261129);
  auto digits = [&](int n, char first) {
    std::string s(1, first);
    for (int i = 1; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  auto hex = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back("0123456789abcdef"[rng() % 16]);
    return s;
  };
  const int lines = 100000;
  int findings = 0;
  for (int i = 0; i < lines; ++i) {
    const std::string line = "ts=" + digits(13, '1') + " us=" + digits(16, '1') + " req=" + hex(32) +
                             " trace=" + hex(8) + "-" + hex(4) + "-" + hex(4) + " order=" + digits(10, '7') +
                             " amount=" + digits(5, '1') + " port=" + digits(4, '8') +
                             " ref=" + digits(24, '9');
    findings += static_cast<int>(find_pans(line).size());
  }
  // A hex run of 13+ decimal digits between letters is not a candidate; epoch times start
  // with 1 and are 13 or 16 digits; so this corpus should give none at all.
  EXPECT_EQ(findings, 0) << "false positives per line: " << static_cast<double>(findings) / lines;
}

TEST(PanScan, MaskingKeepsTheLineShape) {
  EXPECT_EQ(mask_pans("pan 4111111111111111 ok"), "pan 411111******1111 ok");
  EXPECT_EQ(mask_pans("4111 1111 1111 1111"), "4111 11** **** 1111");
  EXPECT_EQ(mask_pans(R"({"n":"5555555555554444","m":"378282246310005"})"),
            R"({"n":"555555******4444","m":"378282*****0005"})");
  EXPECT_EQ(mask_pans("nothing here 12345"), "nothing here 12345");
  // Found by the fuzzer: two candidates overlapping; masking the first exposed the second.
  const std::string overlapping = "x 3782822465555-5555-5555-4444 y";
  EXPECT_TRUE(find_pans(mask_pans(overlapping)).empty()) << mask_pans(overlapping);
  EXPECT_EQ(mask("4111111111111111"), "411111******1111");
}

}  // namespace
}  // namespace paygate::card
