#include "protocol/payment/currency.h"

#include <gtest/gtest.h>

namespace paygate::protocol {
namespace {

TEST(Currency, TheGeneratedTableHasEveryCodeWithItsExponent) {
  EXPECT_GE(all_currencies().size(), 150u);
  EXPECT_TRUE(std::is_sorted(all_currencies().begin(), all_currencies().end(),
                             [](const Currency& a, const Currency& b) { return a.code < b.code; }));
  struct Expect {
    const char* code;
    int numeric;
    int exponent;
  };
  for (const Expect& e : {Expect{"EUR", 978, 2}, Expect{"USD", 840, 2}, Expect{"JPY", 392, 0}, Expect{"KWD", 414, 3},
                          Expect{"CLF", 990, 4}, Expect{"BHD", 48, 3}, Expect{"XAU", 959, -1}, Expect{"XTS", 963, -1}}) {
    auto c = find_currency(e.code);
    ASSERT_TRUE(c) << e.code;
    EXPECT_EQ(c->numeric, e.numeric) << e.code;
    EXPECT_EQ(c->exponent, e.exponent) << e.code;
  }
  EXPECT_FALSE(find_currency("ABC"));
  EXPECT_FALSE(find_currency("eur"));
  EXPECT_FALSE(find_currency(""));
}

}  // namespace
}  // namespace paygate::protocol
