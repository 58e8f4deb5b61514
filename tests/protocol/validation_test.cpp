#include "protocol/payment/validation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace paygate::protocol {
namespace {

const char* valid = R"({
  "merchant_reference": "order-1001",
  "idempotency_key": "k-123",
  "amount": {"value": 1000, "currency": "EUR"},
  "card": {"number": "4111111111111111", "expiry_month": 12, "expiry_year": 2030, "cvv": "737", "holder_name": "A Person"},
  "billing_address": {"line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"},
  "metadata": {"channel": "web"}
})";

ValidationPolicy policy() {
  ValidationPolicy p;
  p.current_year = 2026;
  p.current_month = 11;
  p.max_amount_major = 10'000;
  return p;
}

// Sets the member a simple JSON pointer ("/a/b") names, creating the last step.
void set(boost::json::value& doc, std::string_view pointer, boost::json::value v) {
  const auto slash = pointer.rfind('/');
  boost::json::value& parent = slash == 0 ? doc : doc.at_pointer(pointer.substr(0, slash));
  parent.as_object()[pointer.substr(slash + 1)] = std::move(v);
}

// Validates `valid` with one member replaced (by JSON pointer) or removed.
std::vector<ValidationIssue> with(const char* pointer, const char* replacement, ValidationPolicy p = policy()) {
  auto doc = boost::json::parse(valid);
  if (replacement) {
    set(doc, pointer, boost::json::parse(replacement));
  } else {
    std::string ptr(pointer);
    auto slash = ptr.rfind('/');
    doc.at_pointer(ptr.substr(0, slash)).as_object().erase(ptr.substr(slash + 1));
  }
  return validate_authorization(doc, p);
}

using Issues = std::vector<ValidationIssue>;

TEST(Validation, AValidAuthorizationHasNoIssues) {
  EXPECT_EQ(validate_authorization(boost::json::parse(valid), policy()), Issues{});
}

TEST(Validation, EachRuleReportsItsPathAndCode) {
  struct Case {
    const char* pointer;
    const char* replacement;
    Issues expected;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"/card/number", R"("4111111111111112")", {{"$.card.number", "pan_luhn"}}},
           {"/card/number", R"("4111 1111 1111 1111")", {{"$.card.number", "pan_not_digits"}}},
           {"/card/number", R"("41111111")", {{"$.card.number", "pan_length"}}},
           {"/card/number", R"("5555555555554")", {{"$.card.number", "pan_length_for_brand"}}},
           {"/card/number", R"(4111111111111111)", {{"$.card.number", "expected_string"}}},
           {"/card/cvv", R"("7373")", {{"$.card.cvv", "cvv_format"}}},
           {"/card/cvv", R"("7a3")", {{"$.card.cvv", "cvv_format"}}},
           {"/card/expiry_month", "13", {{"$.card.expiry_month", "expiry_month"}}},
           {"/card/expiry_year", "2026", {}},  // December 2026: valid through its end
           {"/card/expiry_month", "10", {}},  // October 2030
           {"/card/expiry_year", "2025", {{"$.card", "card_expired"}}},
           {"/card/expiry_year", "\"2030\"", {{"$.card.expiry_year", "expected_integer"}}},
           {"/amount/value", "0", {{"$.amount.value", "amount_not_positive"}}},
           {"/amount/value", "10.5", {{"$.amount.value", "expected_integer"}}},
           {"/amount/value", "1000001", {{"$.amount.value", "amount_too_large"}}},  // 10,000.01 EUR
           {"/amount/value", "18446744073709551615", {{"$.amount.value", "out_of_range"}}},
           {"/amount/currency", R"("EUX")", {{"$.amount.currency", "currency_unknown"}}},
           {"/amount/currency", R"("XAU")", {{"$.amount.currency", "currency_unknown"}}},  // gold is no currency to pay in
           {"/amount/currency", R"("eur")", {{"$.amount.currency", "currency_unknown"}}},
           {"/merchant_reference", R"("")", {{"$.merchant_reference", "length"}}},
           {"/merchant_reference", "\"a\\u0001b\"", {{"$.merchant_reference", "characters"}}},
           {"/merchant_reference", R"("order 4111111111111111")", {{"$.merchant_reference", "card_number_not_allowed"}}},
           {"/idempotency_key", R"("has space")", {{"$.idempotency_key", "characters"}}},
           {"/billing_address/country", R"("de")", {{"$.billing_address.country", "country"}}},
           {"/metadata/x", R"(1)", {{"$.metadata.x", "expected_string"}}},
           {"/surprise", R"(1)", {{"$.surprise", "unknown_field"}}},
           {"/card/pin", R"("1234")", {{"$.card.pin", "unknown_field"}}},
           {"/card/number", nullptr, {{"$.card", "number_or_token"}}},
           {"/amount", nullptr, {{"$.amount", "required"}}},
       }) {
    EXPECT_EQ(with(c.pointer, c.replacement), c.expected) << c.pointer << " = " << (c.replacement ? c.replacement : "(removed)");
  }
}

TEST(Validation, ExponentsComeFromTheCurrencyTable) {
  // 10,000 JPY (exponent 0) is 10000; 10,000 KWD (exponent 3) is 10,000,000 minor units.
  auto doc = boost::json::parse(valid);
  set(doc, "/amount/currency", "JPY");
  set(doc, "/amount/value", 10001);
  EXPECT_EQ(validate_authorization(doc, policy()), (Issues{{"$.amount.value", "amount_too_large"}}));
  set(doc, "/amount/currency", "KWD");
  set(doc, "/amount/value", 10'000'000);
  EXPECT_EQ(validate_authorization(doc, policy()), Issues{});
}

TEST(Validation, ReportsEveryViolationAtOnceAndEchoesNoValue) {
  auto doc = boost::json::parse(R"({"amount":{"value":-5,"currency":"ZZZ"},"card":{"number":"4111111111111112","token":"x",
    "expiry_month":0,"expiry_year":1999},"extra":true})");
  auto issues = validate_authorization(doc, policy());
  EXPECT_EQ(issues, (Issues{{"$.extra", "unknown_field"},
                            {"$.merchant_reference", "required"},
                            {"$.amount.currency", "currency_unknown"},
                            {"$.amount.value", "amount_not_positive"},
                            {"$.card", "number_or_token"},
                            {"$.card.expiry_month", "expiry_month"},
                            {"$.card.expiry_year", "expiry_year"}}));
  for (const auto& i : issues) EXPECT_EQ(i.path.find("4111"), std::string::npos);
}

TEST(Validation, TokensInsteadOfNumbersAndRoutesThatPassUnknownFields) {
  auto doc = boost::json::parse(valid);
  doc.as_object()["card"].as_object().erase("number");
  doc.as_object()["card"].as_object()["token"] = "4111119876541112";
  EXPECT_EQ(validate_authorization(doc, policy()), Issues{});
  doc.as_object()["card"].as_object()["token"] = "4111111111111111";  // a Luhn-valid "token" is a card number
  EXPECT_EQ(validate_authorization(doc, policy()), (Issues{{"$.card.token", "token_is_card_number"}}));
  ValidationPolicy open = policy();
  open.allow_unknown_fields = true;
  EXPECT_EQ(with("/surprise", "1", open), Issues{});
}

}  // namespace
}  // namespace paygate::protocol

namespace paygate::protocol {
namespace {

std::vector<ValidationIssue> check(MessageKind kind, const char* json) {
  ValidationPolicy p;
  p.current_year = 2026;
  p.current_month = 11;
  return validate_message(kind, boost::json::parse(json), p);
}

TEST(Validation, CaptureRefundVoidAndTokenOnlyHaveTheirOwnMembers) {
  using I = std::vector<ValidationIssue>;
  EXPECT_EQ(check(MessageKind::capture, R"({"merchant_reference":"o-1","processor_transaction_id":"sim_1","amount":{"value":500,"currency":"EUR"}})"), I{});
  EXPECT_EQ(check(MessageKind::refund, R"({"merchant_reference":"o-1","processor_transaction_id":"sim_1"})"),
            (I{{"$.amount", "required"}}));
  EXPECT_EQ(check(MessageKind::cancel, R"({"merchant_reference":"o-1","processor_transaction_id":"sim 1"})"),
            (I{{"$.processor_transaction_id", "characters"}}));
  EXPECT_EQ(check(MessageKind::cancel, R"({"merchant_reference":"o-1","processor_transaction_id":"sim_1","amount":{"value":1,"currency":"EUR"}})"),
            (I{{"$.amount", "unknown_field"}}));  // a void carries no amount
  EXPECT_EQ(check(MessageKind::token_only, R"({"merchant_reference":"o-1","card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030}})"), I{});
  EXPECT_EQ(check(MessageKind::token_only, R"({"merchant_reference":"o-1","card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cvv":"737"}})"),
            (I{{"$.card.cvv", "cvv_not_allowed"}}));
  EXPECT_EQ(parse_message_kind("void"), MessageKind::cancel);
  EXPECT_FALSE(parse_message_kind("payout"));
}

}  // namespace
}  // namespace paygate::protocol
