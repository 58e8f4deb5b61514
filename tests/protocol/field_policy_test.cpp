#include "protocol/payment/field_policy.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>

namespace paygate::protocol {
namespace {

// A stand-in for the gateway's crypto and vault: recognisable, reversible transformations,
// and a list of everything it was asked.
class FakeActions final : public FieldActions {
 public:
  std::vector<std::string> calls;
  std::map<std::string, std::string> issued_tokens;  // path -> token, for the answer
  std::string fail_on;                               // a path whose action fails

  Outcome perform(FieldAction action, const std::string& path, const boost::json::value& value) override {
    calls.push_back(std::string(to_string(action)) + " " + path);
    if (path == fail_on) return {std::nullopt, ActionError::token_not_found};
    const std::string text = value.is_string() ? std::string(value.get_string()) : boost::json::serialize(value);
    switch (action) {
      case FieldAction::tokenize: return {boost::json::value("tok(" + text + ")")};
      case FieldAction::issue_token: issued_tokens[path] = "tok(" + text + ")"; return {value};
      case FieldAction::detokenize: return {boost::json::value(text.substr(4, text.size() - 5))};
      case FieldAction::encrypt_for_processor: return {boost::json::value("jwe(" + text + ")")};
      case FieldAction::decrypt_from_processor: return {boost::json::value(text.substr(4, text.size() - 5))};
      case FieldAction::encrypt: return {boost::json::value("pg1(" + text + ")")};
      default: return {std::nullopt, ActionError::internal};
    }
  }
};

FieldRule rule(const char* path, std::initializer_list<FieldAction> actions) {
  std::string error;
  return FieldRule{*FieldPath::parse(path, error), actions};
}

TEST(FieldPolicy, TheUsualCardFlowIssuesATokenAndEncryptsForTheProcessor) {
  auto message = boost::json::parse(
      R"j({"merchant_reference":"o-1","card":{"number":"4111111111111111","cvv":"737","expiry_month":12},"amount":{"value":1000}})j");
  FieldPolicy policy{rule("$.card.number", {FieldAction::issue_token, FieldAction::encrypt_for_processor}),
                     rule("$.card.cvv", {FieldAction::encrypt_for_processor, FieldAction::mask_in_logs}),
                     rule("$.merchant_reference", {FieldAction::mask_in_logs})};
  FakeActions fake;
  auto result = apply_policy(policy, message, fake);
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.performed, 3u);
  EXPECT_EQ(fake.issued_tokens.at("$.card.number"), "tok(4111111111111111)");
  // Order and formatting of the other members are kept; amounts stay exact integers.
  EXPECT_EQ(boost::json::serialize(message),
            R"j({"merchant_reference":"o-1","card":{"number":"jwe(4111111111111111)","cvv":"jwe(737)","expiry_month":12},"amount":{"value":1000}})j");
  EXPECT_EQ(result.masked_paths, (std::vector<std::string>{"$.card.cvv", "$.merchant_reference"}));
}

TEST(FieldPolicy, AppliesToEveryArrayElementAndDropsFields) {
  auto message = boost::json::parse(R"j({"items":[{"pan":"1","cvv":"x"},{"pan":"2","cvv":"y"}],"note":"n"})j");
  FieldPolicy policy{rule("$.items[*].pan", {FieldAction::tokenize}), rule("$.items[*].cvv", {FieldAction::drop}),
                     rule("$.missing", {FieldAction::tokenize})};
  FakeActions fake;
  auto result = apply_policy(policy, message, fake);
  EXPECT_EQ(boost::json::serialize(message), R"j({"items":[{"pan":"tok(1)"},{"pan":"tok(2)"}],"note":"n"})j");
  EXPECT_EQ(result.performed, 4u);
  EXPECT_EQ(fake.calls, (std::vector<std::string>{"tokenize $.items[0].pan", "tokenize $.items[1].pan"}));
}

TEST(FieldPolicy, AFailedActionIsReportedWithItsPathAndStopsThatValue) {
  auto message = boost::json::parse(R"j({"card":{"token":"tok(4111111111111111)"}})j");
  FakeActions fake;
  fake.fail_on = "$.card.token";
  auto result = apply_policy({rule("$.card.token", {FieldAction::detokenize, FieldAction::encrypt_for_processor})}, message, fake);
  EXPECT_EQ(result.errors, (std::vector<ValidationIssue>{{"$.card.token", "token_not_found"}}));
  EXPECT_EQ(fake.calls.size(), 1u);  // encrypt_for_processor was not attempted
  EXPECT_EQ(boost::json::serialize(message), R"j({"card":{"token":"tok(4111111111111111)"}})j");
}

TEST(FieldPolicy, ActionNamesRoundTrip) {
  for (const char* name : {"tokenize", "issue_token", "detokenize", "encrypt_for_processor", "decrypt_from_processor",
                           "encrypt", "drop", "mask_in_logs"}) {
    auto a = parse_field_action(name);
    ASSERT_TRUE(a) << name;
    EXPECT_EQ(to_string(*a), name);
  }
  EXPECT_FALSE(parse_field_action("encrypt_for_merchant"));
}

}  // namespace
}  // namespace paygate::protocol
