#include "card/brand.h"
#include "card/luhn.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>

#include "tests/support/vectors.h"

namespace paygate::card {
namespace {

// The file's brand names (from several sources) mapped onto the brands paygate routes.
// Local schemes paygate does not route (Dankort, Elo, Hiper, Hipercard) are "unknown".
const std::map<std::string, CardBrand> expected_brand = {
    {"Visa", CardBrand::visa},
    {"Visa Electron", CardBrand::visa},
    {"V Pay", CardBrand::visa},
    {"Cartes Bancaires", CardBrand::visa},  // co-badged, on Visa BINs
    {"Cartes Bancaires / Visa Debit", CardBrand::visa},
    {"Dankort / Visa", CardBrand::visa},
    {"Bancontact (BCMC) / Visa Debit", CardBrand::visa},
    {"Mastercard", CardBrand::mastercard},
    {"American Express", CardBrand::amex},
    {"American Express (Amex)", CardBrand::amex},
    {"Discover", CardBrand::discover},
    {"China UnionPay", CardBrand::unionpay},
    {"JCB", CardBrand::jcb},
    {"Diners", CardBrand::diners},
    {"Diners Club", CardBrand::diners},
    {"Maestro", CardBrand::maestro},
    {"Bancontact (BCMC) / Maestro", CardBrand::maestro},
    {"Dankort", CardBrand::unknown},
    {"Elo", CardBrand::unknown},
    {"Hiper", CardBrand::unknown},
    {"Hipercard", CardBrand::unknown},
    {"unknown", CardBrand::unknown},
};

TEST(Card, EveryTestPanIsClassifiedAsTheFileSays) {
  const auto file = test::load_vectors("test_pans.json");
  int classified = 0, rejected = 0;
  for (const auto& item : file.as_array()) {
    const std::string pan(item.at("pan").as_string());
    const std::string brand(item.at("brand").as_string());
    EXPECT_EQ(luhn_valid(pan), item.at("luhn_valid").as_bool()) << pan;
    if (brand.rfind("n/a", 0) == 0 || brand.find("not issuable") != std::string::npos) {
      // Numbers a card validator rejects: paygate must reject them too.
      EXPECT_TRUE(pan_problem(pan).has_value() || card_brand(pan) == CardBrand::unknown) << pan;
      ++rejected;
      continue;
    }
    auto it = expected_brand.find(brand);
    ASSERT_NE(it, expected_brand.end()) << "unmapped brand name " << brand;
    EXPECT_EQ(card_brand(pan), it->second) << pan << " (" << brand << ")";
    EXPECT_FALSE(pan_problem(pan)) << pan << ": " << *pan_problem(pan);
    ++classified;
  }
  EXPECT_EQ(classified, 90);
  EXPECT_EQ(rejected, 8);
}

TEST(Card, ProblemsHaveReasonCodes) {
  EXPECT_EQ(pan_problem("4111-1111-1111-1111"), "pan_not_digits");
  EXPECT_EQ(pan_problem("41111111111"), "pan_length");
  EXPECT_EQ(pan_problem("4111111111111112"), "pan_luhn");
  EXPECT_EQ(pan_problem("378282246310005"), std::nullopt);
  EXPECT_EQ(pan_problem("5555555555554"), "pan_length_for_brand");  // Luhn-valid, but Mastercard is 16 digits
  EXPECT_EQ(cvv_length(CardBrand::amex), 4u);
  EXPECT_EQ(cvv_length(CardBrand::visa), 3u);
  EXPECT_EQ(card_brand("2720990000000007"), CardBrand::mastercard);  // top of the 2-series
  EXPECT_EQ(card_brand("2721000000000000"), CardBrand::unknown);
  EXPECT_EQ(card_brand("6221260000000000"), CardBrand::discover);  // Discover/UnionPay co-brand
}

}  // namespace
}  // namespace paygate::card
