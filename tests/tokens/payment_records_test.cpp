// The payment records (tokens/payment_records.h) on both stores, SQLite and a real
// PostgreSQL: the same claims, replays, releases, expiries and transactions, and one
// winner among concurrent claims.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "tests/support/e2e.h"
#include "tests/support/postgres.h"
#include "tokens/store/open_store.h"

namespace paygate::tokens {
namespace {

using State = IdempotencyClaim::State;

class PaymentRecordsTest : public ::testing::TestWithParam<StoreOptions::Kind> {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.kind = GetParam();
    if (options.kind == StoreOptions::Kind::sqlite) {
      options.path = paygate::test::make_temp_dir("records") / "vault.db";
    } else {
      ::setenv("PAYGATE_TEST_RECORDS_DSN", paygate::test::PostgresServer::instance().create_database().c_str(), 1);
      options.dsn_env = "PAYGATE_TEST_RECORDS_DSN";
      options.tls = StoreOptions::PgTls::disable;
    }
    auto opened = open_store(options);
    ASSERT_TRUE(opened) << opened.error().to_string();
    records_ = opened.value().records;
    ASSERT_TRUE(records_);
  }
  std::shared_ptr<PaymentRecords> records_;
};

TEST_P(PaymentRecordsTest, AClaimIsHeldThenCompletedAndReplayedPerMerchant) {
  auto first = records_->claim("acme", "k1", "hash-a", 1000, 2000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first.value().state, State::claimed);
  auto again = records_->claim("acme", "k1", "hash-a", 1001, 2001);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value().state, State::in_flight);
  EXPECT_EQ(again.value().request_hash, "hash-a");
  EXPECT_EQ(records_->claim("globex", "k1", "hash-b", 1001, 2001).value().state, State::claimed) << "per merchant";
  ASSERT_TRUE(records_->complete("acme", "k1", StoredAnswer{504, "application/problem+json", R"({"status":504})"}));
  auto done = records_->claim("acme", "k1", "hash-a", 1002, 2002);
  ASSERT_TRUE(done);
  EXPECT_EQ(done.value().state, State::done);
  EXPECT_EQ(done.value().answer.status, 504u);
  EXPECT_EQ(done.value().answer.content_type, "application/problem+json");
  EXPECT_EQ(done.value().answer.body, R"({"status":504})");
  // Releasing a finished claim changes nothing; releasing a held one frees the key.
  ASSERT_TRUE(records_->release("acme", "k1"));
  EXPECT_EQ(records_->claim("acme", "k1", "hash-a", 1003, 2003).value().state, State::done);
  ASSERT_TRUE(records_->release("globex", "k1"));
  EXPECT_EQ(records_->claim("globex", "k1", "hash-c", 1003, 2003).value().state, State::claimed);
}

TEST_P(PaymentRecordsTest, AnExpiredClaimIsReplacedByANewRequest) {
  ASSERT_EQ(records_->claim("acme", "old", "hash-a", 1000, 1010).value().state, State::claimed);
  ASSERT_TRUE(records_->complete("acme", "old", StoredAnswer{200, "application/json", "{}"}));
  auto after = records_->claim("acme", "old", "hash-b", 1010, 1020);
  ASSERT_TRUE(after);
  EXPECT_EQ(after.value().state, State::claimed) << "the window passed: a new request";
  EXPECT_EQ(records_->claim("acme", "old", "hash-b", 1011, 1021).value().state, State::in_flight);
}

TEST_P(PaymentRecordsTest, TransactionsAreKnownToTheirMerchantUntilTheyExpire) {
  ASSERT_TRUE(records_->remember_transaction("acme", "sim_1", 1000, 5000));
  ASSERT_TRUE(records_->remember_transaction("acme", "sim_1", 1001, 5001));  // twice is fine
  EXPECT_TRUE(records_->transaction_known("acme", "sim_1", 1002).value());
  EXPECT_FALSE(records_->transaction_known("globex", "sim_1", 1002).value());
  EXPECT_FALSE(records_->transaction_known("acme", "sim_2", 1002).value());
  EXPECT_FALSE(records_->transaction_known("acme", "sim_1", 5000).value());
}

TEST_P(PaymentRecordsTest, OfConcurrentClaimsExactlyOneWins) {
  std::atomic<int> claimed{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto c = records_->claim("acme", "race", "hash-r", 1000, 2000);
      if (!c) ++failed;
      else if (c.value().state == State::claimed) ++claimed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(claimed.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, PaymentRecordsTest,
                         ::testing::Values(StoreOptions::Kind::sqlite, StoreOptions::Kind::postgresql),
                         [](const ::testing::TestParamInfo<StoreOptions::Kind>& store) {
                           return std::string(store.param == StoreOptions::Kind::sqlite ? "Sqlite" : "Postgresql");
                         });

}  // namespace
}  // namespace paygate::tokens
