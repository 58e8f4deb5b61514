// Merchant identity end to end: client certificates (SAN URI, subject CN, fingerprint)
// and API keys (only their hashes in the config), 401 and 403 with the right problem,
// each failure and each request in the audit log with the merchant, and no API key in
// any log or record. Real TLS clients: the Beast test client and curl.
#include <gtest/gtest.h>

#include <fstream>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

const std::string payment = R"({"amount":{"value":1000,"currency":"EUR"},"card":{"number":"4111111111111111"}})";
const std::string globex_key = "pk_test_globex_7d1f9a0c2b";
const std::string initech_key = "pk_test_initech_0c9e33a1";

std::string sha256_hex(std::string_view text) { return crypto::hex_encode(crypto::sha256(text)); }

class IdentityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("identity");
    make_dev_keyring(dir_);
    sim_ = new Simulator(dir_);
    TestConfig settings;
    settings.sim_port = sim_->port();
    settings.listener_tls = "      client_ca: " + (certs_dir() / "ca.pem").string() + "\n" +  // optional certificates
                            "      client_crl: " + (certs_dir() / "ca.crl.pem").string() + "\n";
    std::string yaml = make_config(settings);
    yaml += "merchants:\n";
    yaml += "  - id: acme\n";
    yaml += "    certificates: [ { san_uri: \"spiffe://merchants/acme\" } ]\n";
    yaml += "  - id: globex\n";
    yaml += "    api_key_sha256: [ " + sha256_hex(globex_key) + " ]\n";
    yaml += "    routes: [ payments ]\n";
    yaml += "  - id: initech\n";
    yaml += "    api_key_sha256: [ " + sha256_hex(initech_key) + " ]\n";
    yaml += "    routes: [ fault-500 ]\n";
    yaml += "keys: { keyring: keys/keyring.yaml }\n";
    yaml += "audit: { dir: audit, fsync: always }\n";
    yaml += "admin: { address: 127.0.0.1:0 }\n";
    gateway_ = new GatewayProcess(dir_, yaml);
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete sim_;
  }

  static HttpAnswer post(const ClientOptions& options, const std::map<std::string, std::string>& headers = {}) {
    std::map<std::string, std::string> h = headers;
    h["content-type"] = "application/json";
    HttpsClient client(gateway_->port(), options);
    return client.request("POST", "/v1/payments", payment, h);
  }

  static inline std::filesystem::path dir_;
  static inline Simulator* sim_ = nullptr;
  static inline GatewayProcess* gateway_ = nullptr;
};

TEST_F(IdentityTest, AMerchantIsRecognizedByItsCertificateOrItsApiKey) {
  EXPECT_EQ(post(client_options("acme")).status, 200u);
  EXPECT_EQ(post(client_options(), {{"x-api-key", globex_key}}).status, 200u);
  EXPECT_EQ(post(client_options(), {{"authorization", "Bearer " + globex_key}}).status, 200u);
  // curl, with the certificate.
  auto r = run_command("curl -sS -o /dev/null -w '%{http_code}' --cacert " + (certs_dir() / "ca.pem").string() +
                       " --cert " + (certs_dir() / "merchant-acme.pem").string() + " --key " +
                       (certs_dir() / "merchant-acme.key").string() + " -H 'content-type: application/json' -d '" +
                       payment + "' https://localhost:" + std::to_string(gateway_->port()) + "/v1/payments");
  EXPECT_EQ(r.output, "200") << r.output;
}

TEST_F(IdentityTest, UnknownCallersGet401AndRoutesNotAllowedGet403) {
  auto none = post(client_options());
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer");
  EXPECT_NE(none.body.find("urn:paygate:problem:unauthenticated"), std::string::npos) << none.body;
  EXPECT_EQ(post(client_options(), {{"x-api-key", "pk_test_wrong"}}).status, 401u);
  // globex has a certificate from the right CA but is known only by API key.
  EXPECT_EQ(post(client_options("globex")).status, 401u);
  // A certificate and a key that name different merchants.
  EXPECT_EQ(post(client_options("acme"), {{"x-api-key", globex_key}}).status, 401u);
  auto refused = post(client_options(), {{"x-api-key", initech_key}});
  EXPECT_EQ(refused.status, 403u);
  EXPECT_NE(refused.body.find("urn:paygate:problem:route-not-allowed"), std::string::npos) << refused.body;
  // The gateway keeps serving the others.
  EXPECT_EQ(post(client_options("acme")).status, 200u);
}

// Certificates from the right CA that must not get in: expired, and revoked (the
// listener's CRL). The handshake fails (with TLS 1.3 the client learns it on its first
// read), /metrics counts each by its reason, and the valid certificate still works.
TEST_F(IdentityTest, ExpiredAndRevokedCertificatesFailTheHandshakeAndAreCountedByReason) {
  auto refused = [](const std::string& merchant) {
    try {
      return post(client_options(merchant)).status == 0;
    } catch (const std::exception&) {
      return true;
    }
  };
  EXPECT_TRUE(refused("expired"));
  EXPECT_TRUE(refused("revoked"));
  // openssl s_client, a peer nobody here wrote, sees the alert too.
  auto s_client = run_command("sleep 0.5 | openssl s_client -connect 127.0.0.1:" + std::to_string(gateway_->port()) +
                              " -CAfile " + (certs_dir() / "ca.pem").string() + " -cert " +
                              (certs_dir() / "merchant-revoked.pem").string() + " -key " +
                              (certs_dir() / "merchant-revoked.key").string() + " 2>&1");
  EXPECT_NE(s_client.output.find("certificate revoked"), std::string::npos) << s_client.output;
  EXPECT_EQ(post(client_options("acme")).status, 200u);
  const std::string metrics =
      run_command("curl -sS http://127.0.0.1:" + std::to_string(gateway_->port("admin")) + "/metrics").output;
  for (const char* expected :
       {"paygate_tls_handshake_failures_total{listener=\"merchants\",reason=\"certificate_expired\"} 1",
        "paygate_tls_handshake_failures_total{listener=\"merchants\",reason=\"certificate_revoked\"} 2"}) {
    EXPECT_NE(metrics.find(expected), std::string::npos) << expected << "\n" << metrics;
  }
}

TEST_F(IdentityTest, FailuresAndRequestsAreAuditedWithoutTheKeys) {
  (void)post(client_options(), {{"x-api-key", "pk_test_wrong"}});
  (void)post(client_options(), {{"x-api-key", initech_key}});
  (void)post(client_options(), {{"x-api-key", globex_key}});
  // The audit records reach the disk before the answers leave (fsync always).
  std::string records;
  for (const auto& f : std::filesystem::directory_iterator(dir_ / "audit")) {
    if (f.path().extension() == ".log") records += read_file(f.path());
  }
  EXPECT_NE(records.find(R"("type":"authentication_failure")"), std::string::npos);
  EXPECT_NE(records.find(R"("reason":"unknown_api_key")"), std::string::npos);
  EXPECT_NE(records.find(R"("type":"authorization_refusal")"), std::string::npos);
  EXPECT_NE(records.find(R"("merchant":"initech")"), std::string::npos);
  EXPECT_NE(records.find(R"("merchant":"globex","route":"payments","method":"POST","status":200)"), std::string::npos)
      << records;
  for (const std::string& secret : {globex_key, initech_key, std::string("pk_test_wrong")}) {
    EXPECT_EQ(records.find(secret), std::string::npos);
    EXPECT_EQ(gateway_->log().find(secret), std::string::npos);
  }
  auto verify = run_command(binary("paygate").string() + " audit verify " + (dir_ / "audit").string() + " --config " +
                            gateway_->config_file().string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  // The access log names the merchant.
  EXPECT_NE(gateway_->log().find("merchant=globex"), std::string::npos);
}

TEST(IdentityConfig, CredentialsAreCheckedWhenTheConfigLoads) {
  const auto dir = make_temp_dir("identity-config");
  TestConfig settings;
  settings.sim_port = 9443;
  std::string yaml = make_config(settings);
  yaml += "merchants:\n";
  yaml += "  - id: acme\n    certificates: [ { san_uri: \"spiffe://merchants/acme\" } ]\n";
  yaml += "  - id: acme2\n    certificates: [ { san_uri: \"spiffe://merchants/acme\" } ]\n";
  yaml += "  - id: bad id\n    api_key_sha256: [ not-a-hash ]\n    routes: [ nope ]\n";
  yaml += "  - id: empty\n";
  std::ofstream(dir / "paygate.yaml") << yaml;
  auto r = run_command(binary("paygate").string() + " check-config --config " + (dir / "paygate.yaml").string());
  EXPECT_EQ(r.exit_code, 1);
  for (const char* message : {"credential san_uri spiffe://merchants/acme already identifies merchant acme",
                              "expected 1 to 64 of A-Z a-z 0-9 _ -",
                              "expected the SHA-256 of the API key as 64 lowercase hex digits (never the key itself)",
                              "no route named \"nope\"",
                              "a merchant needs certificates or api_key_sha256 to be recognized by"}) {
    EXPECT_NE(r.output.find(message), std::string::npos) << message << "\n" << r.output;
  }
}

}  // namespace
}  // namespace paygate::test
