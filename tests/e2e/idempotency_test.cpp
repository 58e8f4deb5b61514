// Idempotency keys and the payment lifecycle, end to end (the real gateway, simulator,
// SQLite vault and PostgreSQL): a retry never charges twice — after an answer, after a
// processor timeout, while the first is still running, from two connections or two
// gateway instances — a key reused for another request is 422, keys are per merchant,
// expire with their window, and what is stored holds no card number. Follow-ups
// (capture, refund, void) name a transaction authorized for the same merchant or are 404.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include "tests/support/e2e.h"
#include "tests/support/postgres.h"

namespace paygate::test {
namespace {

constexpr const char* pan = "4111111111111111";

std::string authorization(int amount, const std::string& extra = "") {
  return R"({"merchant_reference":"order-1001","amount":{"value":)" + std::to_string(amount) +
         R"(,"currency":"EUR"},"card":{"number":")" + pan + R"(","expiry_month":12,"expiry_year":2030,"cvv":"737"})" +
         extra + "}";
}

std::string route(const std::string& name, const std::string& path, const std::string& upstream,
                  const std::string& message, const std::string& request = "") {
  std::string r = "  - name: " + name + "\n    match: { method: POST, path: " + path + " }\n    processor: sim\n";
  r += "    upstream_path: " + upstream + "\n    message: " + message + "\n";
  if (!request.empty()) r += "    token_profile: cards\n    request: " + request + "\n";
  return r;
}

// Routes under /v2 (the test config's /v1/payments passes through). Merchants acme and globex by certificate; vault, keys and audit in `dir`.
std::string config_yaml(std::uint16_t sim_port, const std::string& vault, const std::string& window = "24h") {
  const std::string certs = certs_dir().string();
  TestConfig settings;
  settings.sim_port = sim_port;
  settings.response_timeout = "3s";
  settings.listener_tls = "      client_ca: " + certs + "/ca.pem\n";
  const std::string issue = R"({ "$.card.number": issue_token })";
  settings.routes_extra = route("pay", "/v2/payments", "/v1/authorizations", "authorization", issue) +
                          route("pay-stalls", "/v2/stalled-payments", "/sim/fault/stall", "authorization", issue) +
                          route("pay-slowly", "/v2/slow-payments", "/sim/fault/slow", "authorization", issue) +
                          route("capture", "/v2/captures", "/v1/captures", "capture") +
                          route("refund", "/v2/refunds", "/v1/refunds", "refund") +
                          route("void", "/v2/voids", "/v1/voids", "void");
  std::string yaml = make_config(settings);
  yaml += "merchants:\n";
  yaml += "  - id: acme\n    certificates: [ { san_uri: \"spiffe://merchants/acme\" } ]\n";
  yaml += "  - id: globex\n    certificates: [ { san_uri: \"spiffe://merchants/globex\" } ]\n";
  yaml += "token_profiles:\n  cards: { kind: vault }\n";
  yaml += "vault: { " + vault + ", idempotency_window: " + window + " }\n";
  yaml += "keys: { keyring: keys/keyring.yaml }\n";
  yaml += "audit: { dir: audit, fsync: batch }\n";
  return yaml;
}

HttpAnswer post(GatewayProcess& g, const std::string& merchant, const std::string& path, const std::string& body,
                const std::string& key = "") {
  HttpsClient client(g.port(), client_options(merchant));
  std::map<std::string, std::string> headers{{"content-type", "application/json"}};
  if (!key.empty()) headers["idempotency-key"] = key;
  return client.request("POST", path, body, headers);
}

std::string member(const HttpAnswer& a, const char* name) {
  const boost::json::value parsed = boost::json::parse(a.body);
  const auto* v = parsed.as_object().if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

// The rows of the SQLite vault's idempotency table for `key`.
int stored_rows(const std::filesystem::path& db_path, const std::string& key) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return -1;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ?1", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  const int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

class IdempotencyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("idempotency");
    make_dev_keyring(dir_);
    sim_ = new Simulator(dir_);
    gateway_ = new GatewayProcess(dir_, config_yaml(sim_->port(), "store: sqlite, path: vault.db"));
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete sim_;
  }
  static inline std::filesystem::path dir_;
  static inline Simulator* sim_ = nullptr;
  static inline GatewayProcess* gateway_ = nullptr;
};

TEST_F(IdempotencyTest, ARetryGetsTheFirstAnswerReplayedWithoutReachingTheProcessor) {
  auto first = post(*gateway_, "acme", "/v2/payments", authorization(1299), "order-1001-a");
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.header("idempotent-replayed"), "");
  const auto reached = sim_->requests_received();
  auto retry = post(*gateway_, "acme", "/v2/payments", authorization(1299), "order-1001-a");
  EXPECT_EQ(retry.status, 200u);
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  EXPECT_EQ(retry.body, first.body) << "the same answer, the same processor_transaction_id";
  EXPECT_NE(retry.header("x-request-id"), first.header("x-request-id"));
  EXPECT_EQ(sim_->requests_received(), reached) << "the retry never reached the processor";
  // The body's key works the same, and what is stored holds tokens, never the card.
  auto in_body = post(*gateway_, "acme", "/v2/payments", authorization(1300, R"(,"idempotency_key":"order-1001-b")"));
  auto again = post(*gateway_, "acme", "/v2/payments", authorization(1300, R"(,"idempotency_key":"order-1001-b")"));
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.body, in_body.body);
  EXPECT_EQ(read_file(dir_ / "vault.db").find(pan), std::string::npos);
  EXPECT_EQ(read_file(dir_ / "vault.db-wal").find(pan), std::string::npos);
}

TEST_F(IdempotencyTest, AKeyReusedForAnotherRequestIs422AndBadOrDisagreeingKeysAre400) {
  ASSERT_EQ(post(*gateway_, "acme", "/v2/payments", authorization(2000), "reuse-1").status, 200u);
  const auto reached = sim_->requests_received();
  auto other = post(*gateway_, "acme", "/v2/payments", authorization(2001), "reuse-1");
  EXPECT_EQ(other.status, 422u) << other.body;
  EXPECT_NE(other.body.find("urn:paygate:problem:idempotency-key-reused"), std::string::npos);
  auto bad = post(*gateway_, "acme", "/v2/payments", authorization(2002), "has space");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find(R"({"header":"Idempotency-Key","code":"characters")"), std::string::npos) << bad.body;
  auto disagree = post(*gateway_, "acme", "/v2/payments", authorization(2003, R"(,"idempotency_key":"k-body")"), "k-header");
  EXPECT_EQ(disagree.status, 400u);
  EXPECT_NE(disagree.body.find("idempotency_key_mismatch"), std::string::npos) << disagree.body;
  EXPECT_EQ(sim_->requests_received(), reached);
  // A refused request gives its key up: corrected, it runs.
  EXPECT_EQ(post(*gateway_, "acme", "/v2/payments", authorization(2004, R"(,"idempotency_key":"k-header")"), "k-header").status,
            200u);
}

TEST_F(IdempotencyTest, KeysAreScopedPerMerchant) {
  auto acme = post(*gateway_, "acme", "/v2/payments", authorization(3000), "shared-key");
  auto globex = post(*gateway_, "globex", "/v2/payments", authorization(3000), "shared-key");
  ASSERT_EQ(acme.status, 200u);
  ASSERT_EQ(globex.status, 200u);
  EXPECT_EQ(globex.header("idempotent-replayed"), "") << "globex never sees acme's answer";
  EXPECT_NE(member(globex, "processor_transaction_id"), member(acme, "processor_transaction_id"));
}

TEST_F(IdempotencyTest, ARetryAfterAProcessorTimeoutDoesNotReachItAgain) {
  const auto before = sim_->requests_received();
  auto first = post(*gateway_, "acme", "/v2/stalled-payments", authorization(4000), "timeout-1");
  EXPECT_EQ(first.status, 504u) << first.body;
  EXPECT_EQ(sim_->requests_received(), before + 1);
  auto retry = post(*gateway_, "acme", "/v2/stalled-payments", authorization(4000), "timeout-1");
  EXPECT_EQ(retry.status, 504u);
  EXPECT_EQ(retry.header("idempotent-replayed"), "true") << "the processor may have charged: never again";
  EXPECT_EQ(sim_->requests_received(), before + 1);
}

TEST_F(IdempotencyTest, ConcurrentDuplicatesFromSeveralConnectionsReachTheProcessorOnce) {
  const auto before = sim_->requests_received();
  std::vector<unsigned> statuses(6);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      statuses[i] = post(*gateway_, "acme", "/v2/slow-payments", authorization(5000), "concurrent-1").status;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sim_->requests_received(), before + 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200u) + std::count(statuses.begin(), statuses.end(), 409u),
            static_cast<long>(statuses.size()));
  EXPECT_GE(std::count(statuses.begin(), statuses.end(), 409u), 1) << "the duplicates arrived while it ran";
}

TEST_F(IdempotencyTest, FollowUpsNameATransactionAuthorizedForTheSameMerchant) {
  auto authorized = post(*gateway_, "acme", "/v2/payments", authorization(6000));
  ASSERT_EQ(authorized.status, 200u);
  const std::string id = member(authorized, "processor_transaction_id");
  const auto follow_up = [&](const std::string& merchant, const std::string& path, const std::string& transaction,
                             bool with_amount = true) {
    std::string body = R"({"merchant_reference":"order-1001","processor_transaction_id":")" + transaction + "\"";
    if (with_amount) body += R"(,"amount":{"value":6000,"currency":"EUR"})";
    return post(*gateway_, merchant, path, body + "}");
  };
  auto capture = follow_up("acme", "/v2/captures", id);
  EXPECT_EQ(capture.status, 200u) << capture.body;
  EXPECT_EQ(member(capture, "original_transaction_id"), id);
  EXPECT_EQ(follow_up("acme", "/v2/refunds", id).status, 200u);
  EXPECT_EQ(follow_up("acme", "/v2/voids", id, false).status, 200u);
  const auto before = sim_->requests_received();
  auto stranger = follow_up("globex", "/v2/captures", id);
  EXPECT_EQ(stranger.status, 404u);
  EXPECT_NE(stranger.body.find("urn:paygate:problem:transaction-not-found"), std::string::npos) << stranger.body;
  EXPECT_EQ(follow_up("acme", "/v2/captures", "sim_unknown").status, 404u);
  EXPECT_EQ(sim_->requests_received(), before) << "refused follow-ups reach nobody";
}

// A short window: the key is free again once it passed, and its row is erased. (3 s: the
// store counts whole seconds, so a window is at least 2 s even under a sanitizer.)
TEST(IdempotencyWindow, AKeyExpiresWithItsWindowAndItsRowIsErased) {
  const auto dir = make_temp_dir("idempotency-window");
  make_dev_keyring(dir);
  Simulator sim(dir);
  GatewayProcess gateway(dir, config_yaml(sim.port(), "store: sqlite, path: vault.db", "3s"));
  ASSERT_EQ(post(gateway, "acme", "/v2/payments", authorization(7000), "short-lived").status, 200u);
  EXPECT_EQ(post(gateway, "acme", "/v2/payments", authorization(7001), "short-lived").status, 422u);
  EXPECT_EQ(stored_rows(dir / "vault.db", "short-lived"), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  auto later = post(gateway, "acme", "/v2/payments", authorization(7001), "short-lived");
  EXPECT_EQ(later.status, 200u);
  EXPECT_EQ(later.header("idempotent-replayed"), "");
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  ASSERT_EQ(post(gateway, "acme", "/v2/payments", authorization(7002), "another-key").status, 200u);
  EXPECT_EQ(stored_rows(dir / "vault.db", "short-lived"), 0) << "erased with its window";
}

// Two instances on one PostgreSQL: the key is claimed in the shared database, so
// duplicates sent to both at once reach the processor once.
TEST(IdempotencyScaleOut, TwoGatewaysOnOnePostgresqlAgree) {
  const auto dir = make_temp_dir("idempotency-pg");
  make_dev_keyring(dir);
  Simulator sim(dir);
  ::setenv("PAYGATE_PG_IDEMPOTENCY_DSN", PostgresServer::instance().create_database().c_str(), 1);
  const std::string yaml = config_yaml(sim.port(), "store: postgresql, dsn_env: PAYGATE_PG_IDEMPOTENCY_DSN, tls: { mode: disable }");
  for (const char* sub : {"a", "b"}) {
    std::filesystem::create_directories(dir / sub);
    std::filesystem::copy(dir / "keys", dir / sub / "keys");
  }
  GatewayProcess a(dir / "a", yaml);
  GatewayProcess b(dir / "b", yaml);
  const auto before = sim.requests_received();
  std::vector<HttpAnswer> answers(6);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] {
      answers[i] = post(i % 2 ? b : a, "acme", "/v2/slow-payments", authorization(8000), "two-instances");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sim.requests_received(), before + 1);
  std::string settled;
  for (const auto& answer : answers) {
    EXPECT_TRUE(answer.status == 200u || answer.status == 409u) << answer.status << " " << answer.body;
    if (answer.status == 200u) settled = answer.body;
  }
  // After it finished, either instance replays the same answer.
  for (GatewayProcess* g : {&a, &b}) {
    auto replay = post(*g, "acme", "/v2/slow-payments", authorization(8000), "two-instances");
    EXPECT_EQ(replay.header("idempotent-replayed"), "true");
    if (!settled.empty()) {
      EXPECT_EQ(replay.body, settled);
    }
  }
  EXPECT_EQ(sim.requests_received(), before + 1);
  // Follow-ups across instances: authorized on a, captured on b.
  auto authorized = post(a, "acme", "/v2/payments", authorization(8100));
  ASSERT_EQ(authorized.status, 200u);
  auto capture = post(b, "acme", "/v2/captures",
                      R"({"merchant_reference":"order-1001","processor_transaction_id":")" +
                          member(authorized, "processor_transaction_id") + R"(","amount":{"value":8100,"currency":"EUR"}})");
  EXPECT_EQ(capture.status, 200u) << capture.body;
}

}  // namespace
}  // namespace paygate::test
