// Fraud state shared in Redis: a velocity limit holds across two gateway instances (a
// real redis-server on loopback), and when Redis goes away the configured policy applies
// — fail_open lets payments through, fail_closed blocks them — and is counted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "card/luhn.h"
#include "tests/support/e2e.h"
#include "tests/support/redis.h"

namespace paygate::test {
namespace {

std::string payment(int amount) {
  return R"({"merchant_reference":"order-1","amount":{"value":)" + std::to_string(amount) +
         R"(,"currency":"EUR"},"card":{"number":"5555555555554444","expiry_month":12,"expiry_year":2030,"cvv":"737"}})";
}

std::string config_yaml(std::uint16_t sim_port, std::uint16_t redis_port, const std::string& on_unavailable,
                        const std::string& auth = "") {
  TestConfig settings;
  settings.sim_port = sim_port;
  settings.routes_extra =
      "  - name: pay\n    match: { method: POST, path: /v2/payments }\n    processor: sim\n"
      "    upstream_path: /v1/authorizations\n    message: authorization\n    fraud_profile: velocity\n";
  std::string yaml = make_config(settings);
  yaml += "keys: { keyring: keys/keyring.yaml }\n";
  yaml += "admin: { address: 127.0.0.1:0 }\n";
  yaml += "fraud:\n  state:\n    store: redis\n    redis: { address: 127.0.0.1:" + std::to_string(redis_port) +
          ", timeout: 100ms, on_unavailable: " + on_unavailable + auth + " }\n"
          "  profiles:\n    velocity:\n      rules:\n"
          "        - name: card-velocity\n          when: { card_attempts_1m: { above: 3 } }\n          outcome: block\n";
  return yaml;
}

unsigned pay(GatewayProcess& gateway, int amount) {
  HttpsClient client(gateway.port(), client_options());
  return client.request("POST", "/v2/payments", payment(amount), {{"content-type", "application/json"}}).status;
}

TEST(FraudSharedState, AVelocityLimitHoldsAcrossTwoInstancesAndRedisOutagesFollowThePolicy) {
  auto& redis = RedisServer::instance();
  auto dir_a = make_temp_dir("fraud-redis-a");
  auto dir_b = make_temp_dir("fraud-redis-b");
  make_dev_keyring(dir_a);
  std::filesystem::copy(dir_a / "keys", dir_b / "keys");  // one fingerprint key: one card key
  Simulator sim(dir_a);
  GatewayProcess a(dir_a, config_yaml(sim.port(), redis.port(), "fail_open"));
  GatewayProcess b(dir_b, config_yaml(sim.port(), redis.port(), "fail_closed"));
  // Alternating instances, one card: three pass, the fourth (wherever it lands) is blocked.
  std::vector<unsigned> statuses;
  for (int i = 0; i < 6; ++i) statuses.push_back(pay(i % 2 ? b : a, 1000 + i));
  EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 200, 402, 402, 402}));

  redis.stop();
  EXPECT_EQ(pay(a, 2000), 200u) << "fail_open lets it through";
  EXPECT_EQ(pay(b, 2000), 402u) << "fail_closed blocks";
  auto metrics = run_command("curl -sS http://127.0.0.1:" + std::to_string(a.port("admin")) + "/metrics").output;
  EXPECT_EQ(metrics.find("paygate_fraud_state_errors_total 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("paygate_fraud_state_errors_total"), std::string::npos);
  redis.start();  // a fresh server (no persistence): counting starts again, and works again
  EXPECT_EQ(pay(a, 3000), 200u);
  EXPECT_EQ(pay(b, 3001), 200u);
  EXPECT_EQ(pay(a, 3002), 200u);
  EXPECT_EQ(pay(b, 3003), 402u);
}

// Redis AUTH (an ACL user, the password from a 0600 file, never the YAML): the right
// password shares the state; a wrong one is a state outage, under the configured policy.
TEST(FraudSharedState, RedisAuthWithAnAclUserAndAPasswordFile) {
  auto& redis = RedisServer::instance();
  auto dir = make_temp_dir("fraud-redis-auth");
  auto wrong_dir = make_temp_dir("fraud-redis-wrong");
  make_dev_keyring(dir);
  std::filesystem::copy(dir / "keys", wrong_dir / "keys");
  for (const auto& [d, password] : {std::pair{dir, std::string(redis_test_password)}, std::pair{wrong_dir, std::string("nope")}}) {
    std::ofstream(d / "redis.pw") << password << "\n";
    std::filesystem::permissions(d / "redis.pw", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  Simulator sim(dir);
  const std::string auth = ", username: paygate, password_file: redis.pw";
  GatewayProcess good(dir, config_yaml(sim.port(), redis.port(), "fail_closed", auth));
  GatewayProcess wrong(wrong_dir, config_yaml(sim.port(), redis.port(), "fail_closed", auth));
  std::vector<unsigned> statuses;
  for (int i = 0; i < 5; ++i) statuses.push_back(pay(good, 4000 + i));
  EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 200, 402, 402}));  // counted in Redis
  EXPECT_EQ(pay(wrong, 5000), 402u) << "a refused AUTH is an outage: fail_closed blocks";
  EXPECT_EQ(wrong.log().find(redis_test_password), std::string::npos);
  EXPECT_EQ(good.log().find(redis_test_password), std::string::npos);
}

// TLS to Redis (the server's TLS port, its certificate issued by the dev CA for
// localhost / 127.0.0.1): verified TLS shares the state; an untrusted CA, a name the
// certificate does not carry, or plain TCP to the TLS port is a state outage, under the
// configured policy — never an unverified connection.
TEST(FraudSharedState, RedisOverVerifiedTls) {
  auto& redis = RedisServer::instance();
  const std::string certs = certs_dir().string();
  std::vector<std::filesystem::path> dirs;
  for (const char* name : {"fraud-redis-tls", "fraud-redis-tls-ca", "fraud-redis-tls-name", "fraud-redis-tls-plain"}) {
    dirs.push_back(make_temp_dir(name));
    if (dirs.size() == 1) make_dev_keyring(dirs[0]);
    else std::filesystem::copy(dirs[0] / "keys", dirs.back() / "keys");
  }
  Simulator sim(dirs[0]);
  const auto config = [&](const std::string& tls) {  // counters of their own in the shared server
    return config_yaml(sim.port(), redis.tls_port(), "fail_closed", ", prefix: 'tls-test:'" + tls);
  };
  GatewayProcess good(dirs[0], config(", tls: { ca: " + certs + "/ca.pem }"));
  GatewayProcess wrong_ca(dirs[1], config(", tls: { ca: " + certs + "/processor-ca.pem }"));
  GatewayProcess wrong_name(dirs[2], config(", tls: { ca: " + certs + "/ca.pem, server_name: redis.example }"));
  GatewayProcess plain(dirs[3], config(""));
  std::vector<unsigned> statuses;
  for (int i = 0; i < 5; ++i) statuses.push_back(pay(good, 6000 + i));
  EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 200, 402, 402}));  // counted in Redis, over TLS
  for (GatewayProcess* refused : {&wrong_ca, &wrong_name, &plain}) {
    EXPECT_EQ(pay(*refused, 7000), 402u) << "no verified connection: an outage, and fail_closed blocks";
    auto metrics = run_command("curl -sS http://127.0.0.1:" + std::to_string(refused->port("admin")) + "/metrics").output;
    EXPECT_NE(metrics.find("paygate_fraud_state_errors_total 1"), std::string::npos) << metrics;
  }
}

}  // namespace
}  // namespace paygate::test
