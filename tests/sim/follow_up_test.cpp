// The simulator's capture, refund and void answers (sim/follow_up.h).
#include "sim/follow_up.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace paygate::sim {
namespace {

class FixedIds final : public IdSource {
 public:
  std::string authorization_code() override { return "A1B2C3"; }
  std::string transaction_id() override { return "sim_000000000000000000000002"; }
};

boost::json::object answer(FollowUp kind, const std::string& body, unsigned status = 200) {
  FixedIds ids;
  auto a = follow_up(kind, body, ids);
  EXPECT_EQ(a.http_status, status) << a.body;
  return boost::json::parse(a.body).as_object();
}

TEST(FollowUp, PathsNameTheirKind) {
  EXPECT_EQ(follow_up_for_path("/v1/captures"), FollowUp::capture);
  EXPECT_EQ(follow_up_for_path("/v1/refunds"), FollowUp::refund);
  EXPECT_EQ(follow_up_for_path("/v1/voids"), FollowUp::cancel);
  EXPECT_FALSE(follow_up_for_path("/v1/authorizations"));
}

TEST(FollowUp, CaptureAndRefundFollowTheAmountRulesAndNameBothTransactions) {
  for (FollowUp kind : {FollowUp::capture, FollowUp::refund}) {
    auto a = answer(kind, R"({"processor_transaction_id":"sim_1","amount":{"value":1299,"currency":"EUR"}})");
    EXPECT_EQ(a["status"], "approved");
    EXPECT_EQ(a["response_code"], "00");
    EXPECT_EQ(a["processor_transaction_id"], "sim_000000000000000000000002");
    EXPECT_EQ(a["original_transaction_id"], "sim_1");
    EXPECT_EQ(a["amount"].as_object()["value"], 1299);
    EXPECT_EQ(answer(kind, R"({"processor_transaction_id":"sim_1","amount":{"value":1205,"currency":"EUR"}})")["response_code"], "05");
    EXPECT_EQ(answer(kind, R"({"processor_transaction_id":"sim_1","amount":{"value":2000000,"currency":"EUR"}})")["response_code"], "61");
    EXPECT_EQ(answer(kind, R"({"processor_transaction_id":"sim_1"})", 400)["error"], "invalid_request");
  }
}

TEST(FollowUp, AVoidNeedsOnlyTheTransaction) {
  auto a = answer(FollowUp::cancel, R"({"processor_transaction_id":"sim_1"})");
  EXPECT_EQ(a["status"], "approved");
  EXPECT_EQ(a["original_transaction_id"], "sim_1");
  EXPECT_FALSE(a.contains("amount"));
  EXPECT_EQ(answer(FollowUp::cancel, R"({"processor_transaction_id":"bad id!"})", 400)["error"], "invalid_request");
  EXPECT_EQ(answer(FollowUp::cancel, R"([1])", 400)["error"], "invalid_request");
}

}  // namespace
}  // namespace paygate::sim
