// The contract test: the gateway running the example configuration (its routes,
// merchants, policies) in front of the simulator, driven through the documented API —
// the payment lifecycle and every error status a client can provoke — and each live
// answer validated against docs/openapi.yaml by a JSON Schema validator nobody here
// wrote (ajv, via tests/interop/openapi_contract.mjs): statuses, headers, bodies.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

// The example configuration, on free ports, with the test certificates, keys, vault and
// audit log in `dir`.
std::string example_config(const std::filesystem::path& dir, const Simulator& sim) {
  std::string yaml = read_file(std::filesystem::path(PAYGATE_SOURCE_DIR) / "config/examples/paygate.yaml");
  yaml = replace_all(yaml, "127.0.0.1:8443", "127.0.0.1:0");
  yaml = replace_all(yaml, "127.0.0.1:8583", "127.0.0.1:0");
  yaml = replace_all(yaml, "https://127.0.0.1:9443", "https://127.0.0.1:" + std::to_string(sim.port()));
  yaml = replace_all(yaml, "tls://127.0.0.1:9583", "tls://127.0.0.1:" + std::to_string(sim.iso_port()));
  yaml = replace_all(yaml, "../../certs/out/", certs_dir().string() + "/");
  yaml = replace_all(yaml, "../../var/keys/keyring.yaml", (dir / "keys/keyring.yaml").string());
  yaml = replace_all(yaml, "../../var/vault.db", (dir / "vault.db").string());
  yaml = replace_all(yaml, "../../var/audit", (dir / "audit").string());
  return yaml;
}

class ApiContract {
 public:
  explicit ApiContract(GatewayProcess& gateway, std::filesystem::path log) : gateway_(gateway), log_(std::move(log)) {}

  // Sends one request as the demo merchant (API key) and records the answer.
  HttpAnswer send(const std::string& method, const std::string& path, const std::string& body,
                  std::map<std::string, std::string> headers = {}) {
    headers.emplace("x-api-key", "pk_test_demo");
    headers.emplace("content-type", "application/json");
    HttpsClient client(gateway_.port(), client_options());
    return record(method, path, client.request(method, path, body, headers));
  }

  // Announces a body over the listener's limit and sends none: the 413 comes from the
  // Content-Length alone (sending the body would race the gateway closing).
  HttpAnswer send_oversize(const std::string& path, std::size_t length) {
    HttpsClient client(gateway_.port(), client_options());
    client.write_raw("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nx-api-key: pk_test_demo\r\n"
                     "content-type: application/json\r\ncontent-length: " + std::to_string(length) + "\r\n\r\n");
    auto a = client.read_answer(std::chrono::seconds(5));
    return record("POST", path, a ? *a : HttpAnswer{});
  }

 private:
  HttpAnswer record(const std::string& method, const std::string& path, HttpAnswer a) {
    boost::json::object headers_seen;
    for (const auto& [name, value] : a.headers) headers_seen[name] = value;
    boost::json::object line{{"method", method}, {"path", path}, {"status", a.status},
                             {"content_type", a.header("content-type")}, {"headers", headers_seen}, {"body", a.body}};
    std::ofstream(log_, std::ios::app) << boost::json::serialize(line) << "\n";
    return a;
  }

  GatewayProcess& gateway_;
  std::filesystem::path log_;
};

std::string payment(int amount, const std::string& card) {
  return R"({"merchant_reference":"order-1001","amount":{"value":)" + std::to_string(amount) +
         R"(,"currency":"EUR"},"card":)" + card + "}";
}
const std::string card = R"({"number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cvv":"737"})";

TEST(ApiContract, LiveAnswersMatchTheOpenApiDocument) {
  const auto dir = make_temp_dir("api-contract");
  make_dev_keyring(dir);
  Simulator sim(dir);
  GatewayProcess gateway(dir, example_config(dir, sim));
  const auto log = dir / "answers.jsonl";
  ApiContract api(gateway, log);

  // The lifecycle: authorize (and its replay), capture, refund, void, pay with the token.
  auto authorized = api.send("POST", "/v1/payments", payment(12999, card), {{"idempotency-key", "order-1001"}});
  ASSERT_EQ(authorized.status, 200u) << authorized.body;
  EXPECT_EQ(api.send("POST", "/v1/payments", payment(12999, card), {{"idempotency-key", "order-1001"}})
                .header("idempotent-replayed"),
            "true");
  const auto answer = boost::json::parse(authorized.body).as_object();
  const std::string id(answer.at("processor_transaction_id").as_string());
  const std::string token(answer.at("card").at("token").as_string());
  const std::string follow_up =
      R"({"merchant_reference":"order-1001","processor_transaction_id":")" + id + R"(","amount":{"value":12999,"currency":"EUR"}})";
  EXPECT_EQ(api.send("POST", "/v1/captures", follow_up).status, 200u);
  EXPECT_EQ(api.send("POST", "/v1/refunds", follow_up).status, 200u);
  EXPECT_EQ(api.send("POST", "/v1/voids", R"({"merchant_reference":"order-1001","processor_transaction_id":")" + id + "\"}")
                .status,
            200u);
  EXPECT_EQ(api.send("POST", "/v1/payments",
                     payment(2500, R"({"token":")" + token + R"(","expiry_month":12,"expiry_year":2030})"))
                .status,
            200u);
  EXPECT_EQ(api.send("POST", "/v1/payments", payment(2551, card)).status, 200u);  // a decline is an answer too

  // Every error a client can provoke on its own.
  EXPECT_EQ(api.send("POST", "/v1/payments", payment(100, R"({"number":"4111111111111112","expiry_month":13})")).status, 400u);
  EXPECT_EQ(api.send("POST", "/v1/payments", payment(100, card), {{"idempotency-key", "bad key"}}).status, 400u);
  EXPECT_EQ(api.send("POST", "/v1/payments", payment(100, card), {{"x-api-key", "wrong"}}).status, 401u);
  EXPECT_EQ(api.send("POST", "/v1/captures",
                     R"({"merchant_reference":"o","processor_transaction_id":"sim_nobody","amount":{"value":1,"currency":"EUR"}})")
                .status,
            404u);
  EXPECT_EQ(api.send("GET", "/v1/payments", "").status, 405u);
  EXPECT_EQ(api.send("POST", "/v1/payments", payment(100, card), {{"accept", "text/html"}}).status, 406u);
  EXPECT_EQ(api.send_oversize("/v1/payments", 70 * 1024).status, 413u);
  EXPECT_EQ(api.send("POST", "/v1/payments", payment(100, card), {{"content-type", "text/plain"}}).status, 415u);
  EXPECT_EQ(api.send("POST", "/v1/payments", payment(12998, card), {{"idempotency-key", "order-1001"}}).status, 422u);
  EXPECT_EQ(api.send("POST", "/v1/payments", payment(100, card), {{"x-padding", std::string(17 * 1024, 'a')}}).status,
            431u);

  const auto check = run_command("node " + std::string(PAYGATE_SOURCE_DIR) + "/tests/interop/openapi_contract.mjs " +
                                 std::string(PAYGATE_SOURCE_DIR) + "/docs/openapi.yaml " + log.string() +
                                 " --require-status 200,400,401,404,405,406,413,415,422,431 2>&1");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("0 violations"), std::string::npos) << check.output;
}

// The validator is not a rubber stamp: an answer that breaks the document is caught.
TEST(ApiContract, TheValidatorRefusesAnAnswerThatBreaksTheDocument) {
  const auto dir = make_temp_dir("api-contract-bad");
  const auto log = dir / "answers.jsonl";
  std::ofstream(log) << R"({"method":"POST","path":"/v1/payments","status":200,"content_type":"application/json",)"
                        R"("headers":{},"body":"{\"status\":\"maybe\"}"})"
                     << "\n"
                     << R"({"method":"POST","path":"/v1/payments","status":418,"content_type":"application/problem+json",)"
                        R"("headers":{},"body":"{\"type\":\"urn:paygate:problem:teapot\",\"title\":\"t\",\"status\":418,\"detail\":\"d\",\"request_id\":\"r\"}"})"
                     << "\n";
  const auto check = run_command("node " + std::string(PAYGATE_SOURCE_DIR) + "/tests/interop/openapi_contract.mjs " +
                                 std::string(PAYGATE_SOURCE_DIR) + "/docs/openapi.yaml " + log.string() + " 2>&1");
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find("must be equal to one of the allowed values"), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("undocumented problem type"), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("status not in the operation's responses"), std::string::npos) << check.output;
}

}  // namespace
}  // namespace paygate::test
