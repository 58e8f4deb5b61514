// Fraud screening end to end, through the real gateway and simulator: a card-testing
// burst (many cards from one client, small amounts) is blocked after the configured count
// while a normal customer at the same time is not; a velocity rule sends a payment to
// review (forwarded, flagged); dry_run never blocks; a reload changes a threshold live;
// ISO 8583 gets the block code; every decision is in the audit record and in /metrics;
// `paygate fraud explain` reads the live state without changing it. Clients come from
// different loopback addresses (127.0.0.x), which is what "client IP" means here.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <thread>

#include "card/detect.h"
#include "config/iso8583_spec_loader.h"
#include "card/luhn.h"
#include "tests/support/e2e.h"
#include "tests/support/iso_client.h"

namespace paygate::test {
namespace {

// Visa test-range numbers: "4111110000" + 5 digits + the Luhn check digit.
std::string card(int n) {
  char base[16];
  std::snprintf(base, sizeof base, "4111110000%05d", n);
  for (char d = '0'; d <= '9'; ++d) {
    std::string pan = std::string(base) + d;
    if (card::luhn_valid(pan)) return pan;
  }
  return {};
}

std::string payment(const std::string& pan, int amount) {
  return R"({"merchant_reference":"order-1","amount":{"value":)" + std::to_string(amount) +
         R"(,"currency":"EUR"},"card":{"number":")" + pan + R"(","expiry_month":12,"expiry_year":2030,"cvv":"737"}})";
}

std::string fraud_section(int distinct_cards) {
  std::string rules =
      "      rules:\n"
      "        - name: card-testing\n"
      "          when: { ip_distinct_cards_1h: { above: " + std::to_string(distinct_cards) + " }, amount: { below: 500 } }\n"
      "          outcome: block\n"
      "        - name: card-velocity\n"
      "          when: { card_attempts_1m: { above: 3 } }\n"
      "          score: 60\n";
  return "fraud:\n  max_keys: 10000\n  profiles:\n"
         "    guard:\n      review_at: 50\n      block_at: 100\n      block_code: \"59\"\n" + rules +
         "    watch:\n      mode: dry_run\n" + rules;
}

class FraudTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("fraud");
    make_dev_keyring(dir_);
    sim_ = new Simulator(dir_);
    gateway_ = new GatewayProcess(dir_, config_yaml(5));
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete sim_;
  }

  static std::string config_yaml(int distinct_cards) {
    const std::string certs = certs_dir().string();
    TestConfig settings;
    settings.sim_port = sim_->port();
    settings.listeners_extra =
        "  - name: acquirers\n    kind: iso8583\n    address: 127.0.0.1:0\n"
        "    tls: { certificate: " + certs + "/gateway.pem, private_key: " + certs + "/gateway.key }\n"
        "    iso8583: { spec: iso8583-1987-ascii }\n";
    settings.processors_extra =
        "  - name: iso-sim\n    url: tls://127.0.0.1:" + std::to_string(sim_->iso_port()) + "\n"
        "    tls: { ca: " + certs + "/processor-ca.pem, server_name: processor.local }\n"
        "    iso8583: { spec: iso8583-1987-ascii }\n";
    auto route = [](const std::string& name, const std::string& path, const std::string& profile) {
      return "  - name: " + name + "\n    match: { method: POST, path: " + path + " }\n    processor: sim\n"
             "    upstream_path: /v1/authorizations\n    message: authorization\n    token_profile: cards\n"
             "    fraud_profile: " + profile + "\n    request: { \"$.card.number\": issue_token }\n"
             "    response: { \"$.card.number\": tokenize }\n";
    };
    settings.routes_extra = route("pay", "/v2/payments", "guard") + route("pay-dry", "/v2/dry", "watch") +
                            "  - name: iso-auth\n    match: { mti: \"0100\" }\n    processor: iso-sim\n"
                            "    token_profile: cards\n    fraud_profile: guard\n    response: { \"2\": tokenize }\n";
    std::string yaml = make_config(settings);
    yaml += "token_profiles:\n  cards: { kind: vault }\n";
    yaml += "vault: { store: sqlite, path: vault.db }\n";
    yaml += "keys: { keyring: keys/keyring.yaml }\n";
    yaml += "audit: { dir: audit, fsync: always }\n";
    yaml += "admin: { address: 127.0.0.1:0 }\n";
    yaml += fraud_section(distinct_cards);
    return yaml;
  }

  static HttpAnswer post(const std::string& from, const std::string& path, const std::string& body) {
    ClientOptions options = client_options();
    options.source_address = from;
    HttpsClient client(gateway_->port(), options);
    return client.request("POST", path, body, {{"content-type", "application/json"}});
  }
  static std::string admin() { return "127.0.0.1:" + std::to_string(gateway_->port("admin")); }
  static std::string metrics() { return run_command("curl -sS http://" + admin() + "/metrics").output; }
  static std::string audit_records() { return test::audit_records(dir_ / "audit"); }

  static inline std::filesystem::path dir_;
  static inline Simulator* sim_ = nullptr;
  static inline GatewayProcess* gateway_ = nullptr;
};

TEST_F(FraudTest, ACardTestingBurstIsBlockedWhileANormalCustomerIsNot) {
  std::vector<unsigned> attacker, customer;
  for (int i = 0; i < 10; ++i) {
    attacker.push_back(post("127.0.0.3", "/v2/payments", payment(card(100 + i), 100)).status);
    customer.push_back(post("127.0.0.4", "/v2/payments", payment(card(900), 2500 + i)).status);
  }
  // Five cards pass (the rule needs more than five); from the sixth on, blocked.
  EXPECT_EQ(attacker, (std::vector<unsigned>{200, 200, 200, 200, 200, 402, 402, 402, 402, 402}));
  // The customer pays ten times in a minute with one card: over card-velocity's 3 it is
  // reviewed (score 60), never blocked.
  for (unsigned s : customer) EXPECT_EQ(s, 200u);
  auto blocked = post("127.0.0.3", "/v2/payments", payment(card(200), 100));
  EXPECT_EQ(blocked.status, 402u);
  EXPECT_NE(blocked.body.find("urn:paygate:problem:payment-blocked"), std::string::npos) << blocked.body;
  EXPECT_NE(blocked.body.find("card-testing"), std::string::npos) << blocked.body;
  EXPECT_TRUE(card::find_pans(blocked.body).empty());
  const std::string records = audit_records();
  EXPECT_NE(records.find(R"("fraud":{"profile":"guard","mode":"enforce","verdict":"block","outcome":"block")"),
            std::string::npos);
  EXPECT_NE(records.find(R"("upstream":"fraud_block")"), std::string::npos);
  EXPECT_TRUE(card::find_pans(records).empty());
  const std::string m = metrics();
  EXPECT_NE(m.find("paygate_fraud_rule_hits_total{profile=\"guard\",rule=\"card-testing\"} 6"), std::string::npos) << m;
  EXPECT_NE(m.find("paygate_fraud_enforced_total{profile=\"guard\",outcome=\"block\"} 6"), std::string::npos) << m;
}

TEST_F(FraudTest, AVelocityScoreSendsToReviewForwardedAndFlagged) {
  HttpAnswer last;
  for (int i = 0; i < 4; ++i) last = post("127.0.0.6", "/v2/payments", payment(card(300), 1500));
  EXPECT_EQ(last.status, 200u);
  EXPECT_EQ(last.header("paygate-fraud-review"), "score");
  EXPECT_NE(last.body.find("\"approved\""), std::string::npos) << "a review is forwarded";
}

TEST_F(FraudTest, DryRunScoresAndRecordsButNeverBlocks) {
  for (int i = 0; i < 9; ++i) EXPECT_EQ(post("127.0.0.5", "/v2/dry", payment(card(400 + i), 100)).status, 200u);
  const std::string records = audit_records();
  EXPECT_NE(records.find(R"("fraud":{"profile":"watch","mode":"dry_run","verdict":"block","outcome":"allow")"),
            std::string::npos);
  const std::string m = metrics();
  EXPECT_NE(m.find("paygate_fraud_decisions_total{profile=\"watch\",outcome=\"block\"} 4"), std::string::npos) << m;
  EXPECT_NE(m.find("paygate_fraud_enforced_total{profile=\"watch\",outcome=\"block\"} 0"), std::string::npos) << m;
}

TEST_F(FraudTest, Iso8583RequestsGetTheBlockCode) {
  auto spec = config::load_iso8583_spec(config::iso8583_spec_path("iso8583-1987-ascii"));
  ASSERT_TRUE(spec.ok());
  ClientOptions options = client_options();
  options.source_address = "127.0.0.7";
  IsoClient c(gateway_->port("acquirers"), options, *spec.spec);
  std::vector<std::string> codes;
  for (int i = 0; i < 8; ++i) {
    c.send(iso_request("0100", 700 + i, card(500 + i), "000000000100"));
    auto answer = c.receive();
    ASSERT_TRUE(answer);
    codes.emplace_back(answer->fields.get(39));
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"00", "00", "00", "00", "00", "59", "59", "59"}));
}

TEST_F(FraudTest, ExplainReadsTheLiveStateWithoutChangingIt) {
  for (int i = 0; i < 3; ++i) post("127.0.0.8", "/v2/payments", payment(card(600 + i), 100));
  const auto paid = post("127.0.0.8", "/v2/payments", payment(card(699), 100));
  ASSERT_EQ(paid.status, 200u) << paid.body;
  const std::string request_id = paid.header("x-request-id");
  const std::string token(boost::json::parse(paid.body).at("card").at("token").as_string());
  ASSERT_FALSE(request_id.empty());
  // By request id (merchant, route, address and token come from its audit record), then
  // by token: the same signals twice each — nothing was recorded.
  const std::string base = binary("paygate").string() + " fraud explain --admin " + admin() + " --route pay";
  for (const std::string& how : {" --request-id " + request_id, " --token " + token + " --merchant anonymous --ip 127.0.0.8"}) {
    for (int round = 0; round < 2; ++round) {
      auto r = run_command(base + how);
      ASSERT_EQ(r.exit_code, 0) << how << ": " << r.output;
      auto json = boost::json::parse(r.output).as_object();
      EXPECT_EQ(json.at("signals").at("ip_distinct_cards_1h").as_int64(), 4) << r.output;
      // As a new attempt with that card would see it: the one made, plus itself.
      EXPECT_EQ(json.at("signals").at("card_attempts_24h").as_int64(), 2) << r.output;
      EXPECT_TRUE(json.at("card_seen").as_bool());
      EXPECT_EQ(json.at("decision").at("verdict").as_string(), "allow");
      EXPECT_TRUE(card::find_pans(r.output).empty());
    }
  }
  // Fresh state, from the config alone: a payment on stdin (no live counters to reveal).
  std::ofstream(dir_ / "probe.json") << payment(card(699), 100);
  auto fresh = run_command(binary("paygate").string() + " fraud explain --config " + gateway_->config_file().string() +
                           " --route pay --ip 127.0.0.8 < " + (dir_ / "probe.json").string());
  ASSERT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_EQ(boost::json::parse(fresh.output).at("signals").at("ip_distinct_cards_1h").as_int64(), 1);
}

// The card-number oracle the security review found: the live explain took a card number
// and answered its counters. Now any body holding a card number is refused, whatever
// else it says, and the refusal is the same for a card that was seen and one that was
// not; an unknown token or request id is a 404 that says nothing more.
TEST_F(FraudTest, ExplainIsNoCardNumberOracle) {
  post("127.0.0.10", "/v2/payments", payment(card(700), 100));
  const std::string url = "http://" + admin() + "/admin/fraud/explain";
  auto ask = [&](const std::string& body) {
    std::ofstream(dir_ / "ask.json", std::ios::trunc) << body;
    return run_command("curl -sS -w '\n%{http_code}' -X POST --data-binary @" + (dir_ / "ask.json").string() + " " + url);
  };
  const auto seen = ask(payment(card(700), 100));
  const auto unseen = ask(payment(card(701), 100));
  EXPECT_NE(seen.output.find("422"), std::string::npos) << seen.output;
  EXPECT_EQ(seen.output, unseen.output);
  EXPECT_EQ(seen.output.find("signals"), std::string::npos) << seen.output;
  const auto glued = ask(R"({"route":"pay","token":")" + card(700) + R"(","merchant":"anonymous"})");
  EXPECT_NE(glued.output.find("never a card number"), std::string::npos) << glued.output;
  EXPECT_NE(ask(R"({"route":"pay","request_id":"no-such-request"})").output.find("404"), std::string::npos);
  // Every call above left an admin_call record, none with a card number.
  const std::string records = audit_records();
  EXPECT_NE(records.find(R"("type":"admin_call")"), std::string::npos);
  EXPECT_NE(records.find(R"("path":"/admin/fraud/explain")"), std::string::npos);
  EXPECT_TRUE(card::find_pans(records).empty());
}

TEST_F(FraudTest, AReloadChangesAThresholdLive) {
  std::ofstream(gateway_->config_file(), std::ios::trunc) << config_yaml(1);
  auto r = run_command("curl -sS -X POST http://" + admin() + "/admin/reload");
  ASSERT_NE(r.output.find("\"reloaded\":true"), std::string::npos) << r.output;
  EXPECT_EQ(post("127.0.0.9", "/v2/payments", payment(card(800), 100)).status, 200u);
  EXPECT_EQ(post("127.0.0.9", "/v2/payments", payment(card(801), 100)).status, 402u);  // over 1 now
  std::ofstream(gateway_->config_file(), std::ios::trunc) << config_yaml(5);
  run_command("curl -sS -X POST http://" + admin() + "/admin/reload");
}

}  // namespace
}  // namespace paygate::test
