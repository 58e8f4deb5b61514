// The payment pipeline end to end: a merchant's authorization is validated, its PAN gets
// a token, the PAN and CVV reach the processor (the simulator) only as JWE for its key,
// the processor's answer is rewritten (an echoed PAN becomes the token), the merchant
// never sees a PAN, the audit record says what was done with the token and the masked
// PAN, and no log holds a card number.
#include <gtest/gtest.h>
#include <chrono>

#include <boost/json/parse.hpp>

#include "card/detect.h"
#include "card/luhn.h"
#include "tests/support/e2e.h"
#include "tests/support/postgres.h"

#include <thread>

namespace paygate::test {
namespace {

std::string authorization(const std::string& pan, const std::string& extra = "") {
  return R"({"merchant_reference":"order-1","amount":{"value":1299,"currency":"EUR"},)"
         R"("card":{"number":")" + pan + R"(","expiry_month":12,"expiry_year":2030,"cvv":"737"},)"
         R"("billing_address":{"line1":"Main St 1","line2":"Floor 3","country":"DE"})" + extra + "}";
}

class PipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("pipeline");
    make_dev_keyring(dir_);
    sim_ = new Simulator(dir_);
    TestConfig settings;
    settings.sim_port = sim_->port();
    // Content-key reuse on (opt-in, docs/crypto.md): the simulator must decrypt every JWE
    // of a window that shares one wrapped key, as any JWE.
    settings.processor_extra = "    jwe: { public_key: " + (certs_dir() / "processor-jwe.pub.pem").string() +
                               ", content_key_reuse: { messages: 100, max_age: 60s } }\n";
    settings.listener_tls = "    trusted_proxies: [ 127.0.0.1 ]\n";  // the test client plays the proxy
    std::string yaml = make_config(settings);
    auto route = [&](const std::string& name, const std::string& path, const std::string& request,
                     const std::string& response) {
      std::string r = "  - name: " + name + "\n    match: { method: POST, path: " + path + " }\n";
      r += "    processor: sim\n    upstream_path: /v1/authorizations\n    message: authorization\n";
      r += "    token_profile: cards\n    request: " + request + "\n";
      if (!response.empty()) r += "    response: " + response + "\n";
      return r;
    };
    std::string routes = route("pay", "/v2/payments",
                               R"({ "$.card.number": [issue_token, encrypt_for_processor], "$.card.cvv": encrypt_for_processor, "$.billing_address.line2": drop })",
                               R"({ "$.card.number": tokenize })");
    routes += route("pay-leaky", "/v2/leaky", R"({ "$.card.number": issue_token })", "");
    // No token on the way out: the card echoed back is one the token cache has not seen.
    routes += route("pay-echo", "/v2/echo", R"({ "$.card.number": encrypt_for_processor })",
                    R"({ "$.card.number": tokenize })");
    yaml.insert(yaml.find("logging:"), routes);
    yaml += "token_profiles:\n  cards: { kind: vault }\n";
    yaml += "vault: { store: sqlite, path: vault.db }\n";
    yaml += "keys: { keyring: keys/keyring.yaml }\n";
    yaml += "audit: { dir: audit, fsync: always }\n";
    gateway_ = new GatewayProcess(dir_, yaml);
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete sim_;
  }

  static HttpAnswer post(const std::string& path, const std::string& body) {
    HttpsClient client(gateway_->port(), client_options());
    return client.request("POST", path, body, {{"content-type", "application/json"}});
  }

  static inline std::filesystem::path dir_;
  static inline Simulator* sim_ = nullptr;
  static inline GatewayProcess* gateway_ = nullptr;
};

TEST_F(PipelineTest, TheProcessorGetsJweAndTheMerchantGetsATokenNeverThePan) {
  auto a = post("/v2/payments", authorization("4111111111111111"));
  ASSERT_EQ(a.status, 200u) << a.body;
  auto answer = boost::json::parse(a.body).as_object();
  EXPECT_EQ(answer.at("status").as_string(), "approved") << a.body;
  // The simulator decrypted both fields: they reached it as JWE only.
  EXPECT_EQ(answer.at("received").at("number").as_string(), "jwe") << a.body;
  EXPECT_EQ(answer.at("received").at("cvv").as_string(), "jwe") << a.body;
  const std::string token(answer.at("card").at("token").as_string());
  ASSERT_EQ(token.size(), 16u);
  EXPECT_EQ(token.substr(0, 6), "411111");
  EXPECT_EQ(token.substr(12), "1111");
  EXPECT_FALSE(card::luhn_valid(token));
  EXPECT_TRUE(card::find_pans(a.body).empty()) << a.body;
  // Convergent per merchant: the same card gets the same token.
  auto again = boost::json::parse(post("/v2/payments", authorization("4111111111111111")).body);
  EXPECT_EQ(again.at("card").at("token").as_string(), token);
}

TEST_F(PipelineTest, APanTheProcessorEchoesBecomesTheToken) {
  auto a = post("/v2/payments", authorization("5555555555554444", R"(,"metadata":{"sim_echo_pan":"true"})"));
  ASSERT_EQ(a.status, 200u) << a.body;
  auto card = boost::json::parse(a.body).at("card").as_object();
  EXPECT_EQ(card.at("number").as_string(), card.at("token").as_string()) << a.body;
  EXPECT_TRUE(card::find_pans(a.body).empty()) << a.body;
  // A route whose response policy does not cover the echo: refused, never passed on.
  auto leaky = post("/v2/leaky", authorization("5555555555554444", R"(,"metadata":{"sim_echo_pan":"true"})"));
  EXPECT_EQ(leaky.status, 502u) << leaky.body;
  EXPECT_NE(leaky.body.find("card_number_in_answer"), std::string::npos) << leaky.body;
  EXPECT_EQ(leaky.body.find("5555555555554444"), std::string::npos);
}

// The request step ran on the network thread (JWE to the processor's key: memory only);
// the answer's card number is not in the token cache, so its tokenization needs the vault
// and goes to the blocking pool — a tokenization, not a refusal (issue #21).
TEST_F(PipelineTest, AnEchoedCardTheCacheHasNotSeenIsTokenizedByTheVault) {
  const std::string pan = "5200828282828210";
  auto a = post("/v2/echo", authorization(pan, R"(,"metadata":{"sim_echo_pan":"true"})"));
  ASSERT_EQ(a.status, 200u) << a.body;
  const auto number = std::string(boost::json::parse(a.body).at("card").at("number").as_string());
  EXPECT_NE(number, pan);
  EXPECT_EQ(number.substr(0, 6), pan.substr(0, 6)) << "a vault token keeps the front";
  EXPECT_TRUE(card::find_pans(a.body).empty()) << a.body;
  // The same card again: now from the cache, the same token.
  auto b = post("/v2/echo", authorization(pan, R"(,"metadata":{"sim_echo_pan":"true"})"));
  ASSERT_EQ(b.status, 200u) << b.body;
  EXPECT_EQ(std::string(boost::json::parse(b.body).at("card").at("number").as_string()), number);
}

TEST_F(PipelineTest, InvalidMessagesAreRefusedWithEveryIssueAndReachNobody) {
  auto a = post("/v2/payments", authorization("4111111111111112"));  // Luhn fails
  EXPECT_EQ(a.status, 400u);
  EXPECT_NE(a.body.find(R"({"pointer":"/card/number","code":"pan_luhn","message":)"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find(R"("detail":"The message breaks the API's rules: 1 problem in errors.")"), std::string::npos)
      << a.body;
  EXPECT_EQ(a.body.find("4111111111111112"), std::string::npos);
  auto b = post("/v2/payments", R"({"amount":{"value":-5,"currency":"EUR"},"card":{"number":"4111111111111111"}})");
  EXPECT_EQ(b.status, 400u);
  EXPECT_NE(b.body.find("amount_not_positive"), std::string::npos) << b.body;
  EXPECT_NE(b.body.find("required"), std::string::npos) << b.body;
  auto c = post("/v2/payments", R"({"amount":)");
  EXPECT_EQ(c.status, 400u);
  EXPECT_NE(c.body.find("invalid_json"), std::string::npos) << c.body;
  // The audit record of a 400 names the rules that failed, never the values.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::string records = audit_records(dir_ / "audit");
  EXPECT_NE(records.find(R"("issue_codes":["pan_luhn"])"), std::string::npos) << records.substr(0, 3000);
  EXPECT_NE(records.find(R"("amount_not_positive")"), std::string::npos);
  EXPECT_EQ(records.find("4111111111111112"), std::string::npos);
}

// Content negotiation: a body that is not JSON is 415, an Accept that excludes JSON is
// 406 (both problem+json), before anything is decoded or tokenized.
TEST_F(PipelineTest, ABodyThatIsNotJsonIs415AndAnAcceptWithoutJsonIs406) {
  const auto post_with = [&](const std::map<std::string, std::string>& headers) {
    HttpsClient client(gateway_->port(), client_options());
    return client.request("POST", "/v2/payments", authorization("4111111111111111"), headers);
  };
  const auto expect = [](const HttpAnswer& a, unsigned status, const std::string& slug) {
    EXPECT_EQ(a.status, status) << a.body;
    EXPECT_EQ(a.header("content-type"), "application/problem+json");
    EXPECT_NE(a.body.find("urn:paygate:problem:" + slug), std::string::npos) << a.body;
    EXPECT_EQ(a.body.find("4111111111111111"), std::string::npos);
  };
  expect(post_with({{"content-type", "text/plain"}}), 415, "unsupported-media-type");
  expect(post_with({{"content-type", "application/json; charset=iso-8859-1"}}), 415, "unsupported-media-type");
  expect(post_with({{"content-type", "application/json"}, {"accept", "text/html"}}), 406, "not-acceptable");
  expect(post_with({{"content-type", "application/json"}, {"accept", "application/json;q=0, text/*"}}), 406,
         "not-acceptable");
  EXPECT_EQ(post_with({{"content-type", "Application/JSON; charset=UTF-8"}, {"accept", "text/html, */*;q=0.1"}}).status,
            200u);
  // curl's -d sends a form body, as a developer's first try often does.
  const auto curl = run_command("curl -sS --cacert " + (certs_dir() / "ca.pem").string() +
                                " -o /dev/null -w '%{http_code}' https://localhost:" + std::to_string(gateway_->port()) +
                                "/v2/payments -d '" + authorization("4111111111111111") + "'");
  EXPECT_EQ(curl.output, "415");
}

// Traceability: the caller's X-Request-Id is kept, its W3C trace reaches the processor
// with paygate's own span, and the trace id, the merchant's reference and the client
// (through a trusted proxy; a direct client cannot forge one) are in the access line and
// the audit record.
TEST_F(PipelineTest, RequestIdTraceReferenceAndClientIpAreCarriedThrough) {
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  HttpsClient via_proxy(gateway_->port(), client_options());
  auto a = via_proxy.request("POST", "/v2/payments", authorization("4111111111111111"),
                             {{"content-type", "application/json"}, {"x-request-id", "order-1-try.1"},
                              {"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"},
                              {"x-forwarded-for", "203.0.113.50, 198.51.100.7"}});
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(a.header("x-request-id"), "order-1-try.1");
  const std::string sent = std::string(boost::json::parse(a.body).at("received").at("traceparent").as_string());
  EXPECT_EQ(sent.substr(0, 36), "00-" + trace + "-");
  EXPECT_NE(sent.substr(36, 16), "00f067aa0ba902b7") << "paygate's own span is the processor's parent";
  // A client that is not a trusted proxy: its X-Forwarded-For is ignored, its bad id replaced.
  ClientOptions direct = client_options();
  direct.source_address = "127.0.0.2";
  HttpsClient other(gateway_->port(), direct);
  auto b = other.request("POST", "/v2/payments", authorization("4111111111111111"),
                         {{"content-type", "application/json"}, {"x-request-id", "bad id"},
                          {"x-forwarded-for", "192.0.2.99"}});
  ASSERT_EQ(b.status, 200u);
  EXPECT_EQ(b.header("x-request-id").size(), 32u);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the access line is written after the answer
  const std::string log = gateway_->log();
  EXPECT_NE(log.find("request_id=order-1-try.1 "), std::string::npos) << log;
  EXPECT_NE(log.find("client_ip=198.51.100.7 trace_id=" + trace + R"( merchant_reference="order-1")"), std::string::npos)
      << log;
  EXPECT_NE(log.find("client_ip=127.0.0.2 "), std::string::npos);
  EXPECT_EQ(log.find("192.0.2.99"), std::string::npos);
  const std::string records = audit_records(dir_ / "audit");
  EXPECT_NE(records.find(R"("client_ip":"198.51.100.7","trace_id":")" + trace + R"(","merchant_reference":"order-1")"),
            std::string::npos) << records;
}

TEST_F(PipelineTest, TheAuditRecordHoldsTokenAndMaskedPanAndNoLogHoldsAPan) {
  ASSERT_EQ(post("/v2/payments", authorization("6011111111111117")).status, 200u);
  std::string records;
  for (const auto& f : std::filesystem::directory_iterator(dir_ / "audit")) {
    if (f.path().extension() == ".log") records += read_file(f.path());
  }
  EXPECT_NE(records.find(R"("masked_pan":"601111******1117")"), std::string::npos) << records;
  // What support and an auditor ask for first: amount, currency, the merchant's reference,
  // the processor's transaction id and response code.
  EXPECT_NE(records.find(R"("merchant_reference":"order-1","amount":1299,"currency":"EUR","processor_transaction_id":"sim_)"),
            std::string::npos) << records;
  EXPECT_NE(records.find(R"("processor_response_code":"00","issue_codes":[])"), std::string::npos) << records;
  // Every key the request used: the vault row's data and fingerprint keys, the processor's JWE key.
  EXPECT_NE(records.find(R"("key_ids":["data-dev-1","fp-dev-1","jwe:sim"])"), std::string::npos) << records;
  EXPECT_NE(records.find(R"("actions":["encrypt_for_processor","issue_token")"), std::string::npos) << records;
  EXPECT_TRUE(card::find_pans(records).empty());
  EXPECT_TRUE(card::find_pans(gateway_->log()).empty()) << gateway_->log();
  EXPECT_TRUE(card::find_pans(read_file(dir_ / "sim.log")).empty());
}

// Two gateway processes in front of one PostgreSQL vault (scale-out): the same card from
// the same merchant gets the same token whichever instance tokenizes it, also when both
// race on it.
TEST(PipelineScaleOut, TwoGatewaysShareOnePostgresqlVault) {
  const auto dir = make_temp_dir("scale-out");
  make_dev_keyring(dir);
  Simulator sim(dir);
  ::setenv("PAYGATE_PG_DSN", PostgresServer::instance().create_database().c_str(), 1);
  TestConfig settings;
  settings.sim_port = sim.port();
  std::string yaml = make_config(settings);
  yaml.insert(yaml.find("logging:"),
              "  - name: pay\n    match: { method: POST, path: /v2/payments }\n    processor: sim\n"
              "    upstream_path: /v1/authorizations\n    message: authorization\n    token_profile: cards\n"
              "    request: { \"$.card.number\": issue_token }\n");
  yaml += "token_profiles:\n  cards: { kind: vault }\n";
  yaml += "vault: { store: postgresql, dsn_env: PAYGATE_PG_DSN }\n";
  yaml += "keys: { keyring: " + (dir / "keys/keyring.yaml").string() + " }\n";
  std::filesystem::create_directories(dir / "a");
  std::filesystem::create_directories(dir / "b");
  GatewayProcess a(dir / "a", yaml);
  GatewayProcess b(dir / "b", yaml);
  auto token_from = [](GatewayProcess& g, const std::string& pan) {
    HttpsClient client(g.port(), client_options());
    auto answer = client.request("POST", "/v2/payments", authorization(pan), {{"content-type", "application/json"}});
    EXPECT_EQ(answer.status, 200u) << answer.body;
    return std::string(boost::json::parse(answer.body).at("card").at("token").as_string());
  };
  // Racing on a card neither has seen.
  std::string first, second;
  std::thread ta([&] { first = token_from(a, "4000056655665556"); });
  std::thread tb([&] { second = token_from(b, "4000056655665556"); });
  ta.join();
  tb.join();
  EXPECT_EQ(first, second);
  // One after the other, in both orders.
  const std::string from_a = token_from(a, "5555555555554444");
  EXPECT_EQ(token_from(b, "5555555555554444"), from_a);
  EXPECT_EQ(token_from(a, "4000056655665556"), first);
}

}  // namespace
}  // namespace paygate::test
