#include "sim/authorizer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace paygate::sim {
namespace {

class FixedIds final : public IdSource {
 public:
  std::string authorization_code() override { return "A1B2C3"; }
  std::string transaction_id() override { return "sim_000000000000000000000001"; }
};

boost::json::object answer_for(std::int64_t value, const std::string& card = R"({"number":"4111111111111111"})") {
  FixedIds ids;
  auto answer = authorize(R"({"amount":{"value":)" + std::to_string(value) + R"(,"currency":"EUR"},"card":)" + card + "}", ids);
  EXPECT_EQ(answer.http_status, 200u);
  return boost::json::parse(answer.body).as_object();
}

TEST(Authorizer, ApprovesOrdinaryAmountsWithACodeAndMaskedCard) {
  auto a = answer_for(1000);
  EXPECT_EQ(a["status"], "approved");
  EXPECT_EQ(a["response_code"], "00");
  EXPECT_EQ(a["authorization_code"], "A1B2C3");
  EXPECT_EQ(a["processor_transaction_id"], "sim_000000000000000000000001");
  EXPECT_EQ(a["card"].as_object()["masked_number"], "411111******1111");
  EXPECT_EQ(a["amount"].as_object()["value"], 1000);
  EXPECT_EQ(a["amount"].as_object()["currency"], "EUR");
  EXPECT_EQ(boost::json::serialize(a).find("4111111111111111"), std::string::npos);
}

TEST(Authorizer, AppliesEachDocumentedAmountRule) {
  struct Rule {
    std::int64_t value;
    const char* status;
    const char* code;
  };
  for (const Rule& r : {Rule{105, "declined", "05"}, Rule{1014, "declined", "14"}, Rule{2051, "declined", "51"},
                        Rule{54, "declined", "54"}, Rule{391, "error", "91"}, Rule{1'000'001, "declined", "61"},
                        Rule{1'000'000, "approved", "00"}, Rule{1, "approved", "00"}}) {
    auto a = answer_for(r.value);
    EXPECT_EQ(a["status"], r.status) << r.value;
    EXPECT_EQ(a["response_code"], r.code) << r.value;
    EXPECT_EQ(a.contains("authorization_code"), std::string_view(r.status) == "approved") << r.value;
  }
}

TEST(Authorizer, EchoesATokenInsteadOfANumber) {
  auto a = answer_for(1000, R"({"token":"4111119876541111"})");
  EXPECT_EQ(a["card"].as_object()["token"], "4111119876541111");
}

TEST(Authorizer, RejectsInvalidRequestsWith400) {
  FixedIds ids;
  for (const char* bad : {"", "[]", "{", R"({"card":{"number":"4111111111111111"}})",
                          R"({"amount":{"value":0,"currency":"EUR"},"card":{"number":"4111111111111111"}})",
                          R"({"amount":{"value":10.5,"currency":"EUR"},"card":{"number":"4111111111111111"}})",
                          R"({"amount":{"value":100,"currency":"eur"},"card":{"number":"4111111111111111"}})",
                          R"({"amount":{"value":100,"currency":"EUR"}})",
                          R"({"amount":{"value":100,"currency":"EUR"},"card":{}})"}) {
    auto answer = authorize(bad, ids);
    EXPECT_EQ(answer.http_status, 400u) << bad;
    EXPECT_NE(answer.body.find("invalid_request"), std::string::npos) << bad;
  }
}

TEST(Authorizer, JweFieldsAreRefusedUnlessOpenedOrExplicitlyLeftUnopened) {
  FixedIds ids;
  const std::string body =
      R"({"amount":{"value":1000,"currency":"EUR"},"card":{"number":"4111111111111111","cvv":"a.b.c.d.e"}})";
  EXPECT_EQ(authorize(body, ids).http_status, 400u);
  AuthorizeOptions unopened;
  unopened.jwe_unopened = true;
  auto answer = authorize(body, ids, unopened);
  EXPECT_EQ(answer.http_status, 200u);
  EXPECT_NE(answer.body.find(R"("cvv":"jwe_unopened")"), std::string::npos) << answer.body;
}

TEST(MaskCardNumber, KeepsFirstSixAndLastFour) {
  EXPECT_EQ(mask_card_number("4111111111111111"), "411111******1111");
  EXPECT_EQ(mask_card_number("378282246310005"), "378282*****0005");
  EXPECT_EQ(mask_card_number("1234567890"), "**********");
}

}  // namespace
}  // namespace paygate::sim
