// End to end: the real gateway and simulator processes on loopback, driven by a Beast
// client. Covers forwarding, keep-alive, every error status and every listener limit.
#include <gtest/gtest.h>

#include <fstream>

#include <boost/json.hpp>

#include <chrono>
#include <set>
#include <thread>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* test_pan = "4111111111111111";
const std::string payment =
    R"({"amount":{"value":1000,"currency":"EUR"},"card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030}})";

class ProxyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("proxy");
    sim_ = new Simulator(dir_);
    TestConfig settings;
    settings.sim_port = sim_->port();
    settings.response_timeout = "700ms";
    settings.limits = "      max_body: 4KiB\n      max_header: 2KiB\n      body_timeout: 1s\n      idle_timeout: 1s\n";
    gateway_ = new GatewayProcess(dir_, make_config(settings));
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete sim_;
  }

  HttpsClient client() { return HttpsClient(gateway_->port(), client_options()); }

  static inline std::filesystem::path dir_;
  static inline Simulator* sim_ = nullptr;
  static inline GatewayProcess* gateway_ = nullptr;
};

boost::json::object json_of(const HttpAnswer& a) { return boost::json::parse(a.body).as_object(); }

void expect_problem(const HttpAnswer& a, unsigned status, const std::string& slug) {
  EXPECT_EQ(a.status, status);
  EXPECT_EQ(a.header("content-type"), "application/problem+json");
  auto body = json_of(a);
  EXPECT_EQ(body["type"].as_string(), "urn:paygate:problem:" + slug);
  EXPECT_EQ(body["status"], status);
  EXPECT_EQ(body["request_id"].as_string(), a.header("x-request-id"));
  EXPECT_EQ(a.header("x-request-id").size(), 32u);
}

// Security headers on every answer, success or problem (testssl.sh rated their absence
// MEDIUM): nothing caches an answer that may hold a token, no content sniffing, HSTS.
void expect_security_headers(const HttpAnswer& a) {
  EXPECT_EQ(a.header("cache-control"), "no-store");
  EXPECT_EQ(a.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(a.header("strict-transport-security"), "max-age=31536000");
}

TEST_F(ProxyTest, EveryAnswerCarriesTheSecurityHeaders) {
  auto c = client();
  expect_security_headers(c.request("POST", "/v1/payments", payment));
  expect_security_headers(c.request("POST", "/v1/payments", "{not json"));
  expect_security_headers(c.request("GET", "/nowhere", ""));
}

TEST(ProxyHeaders, HstsIsConfigurablePerListener) {
  auto dir = make_temp_dir("hsts");
  TestConfig settings;
  settings.sim_port = 1;
  settings.listener_tls = "    hsts_max_age: 0s\n";
  GatewayProcess gateway(dir, make_config(settings));
  HttpsClient c(gateway.port(), client_options());
  const auto a = c.request("GET", "/nowhere", "");
  EXPECT_EQ(a.header("strict-transport-security"), "");
  EXPECT_EQ(a.header("cache-control"), "no-store");
}

TEST_F(ProxyTest, ForwardsAPaymentAndReturnsTheProcessorsAnswer) {
  auto c = client();
  auto a = c.request("POST", "/v1/payments", payment);
  ASSERT_EQ(a.status, 200u) << a.body;
  auto body = json_of(a);
  EXPECT_EQ(body["status"], "approved");
  EXPECT_EQ(body["card"].as_object()["masked_number"], "411111******1111");
  EXPECT_EQ(a.header("content-type"), "application/json");
  EXPECT_EQ(a.header("x-request-id").size(), 32u);
}

TEST_F(ProxyTest, PassesTheProcessorsDeclinesThrough) {
  auto c = client();
  auto a = c.request("POST", "/v1/payments", R"({"amount":{"value":2051,"currency":"EUR"},"card":{"number":"4111111111111111"}})");
  ASSERT_EQ(a.status, 200u);
  EXPECT_EQ(json_of(a)["response_code"], "51");
}

TEST_F(ProxyTest, KeepsTheConnectionAliveAcrossRequests) {
  auto c = client();
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto a = c.request("POST", "/v1/payments", payment);
    ASSERT_EQ(a.status, 200u);
    EXPECT_TRUE(a.keep_alive);
    ids.insert(a.header("x-request-id"));
  }
  EXPECT_EQ(ids.size(), 5u);
}

TEST_F(ProxyTest, UnknownPathIs404AndWrongMethodIs405) {
  auto c = client();
  expect_problem(c.request("POST", "/v1/nothing", "{}"), 404, "route-not-found");
  auto a = c.request("GET", "/v1/payments");
  expect_problem(a, 405, "method-not-allowed");
  EXPECT_EQ(a.header("allow"), "POST");
}

TEST_F(ProxyTest, MalformedRequestIs400AndEchoesNothing) {
  auto c = client();
  ASSERT_TRUE(c.write_raw("POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Length: abc-4111111111111111\r\n\r\n"));
  auto a = c.read_answer(2s);
  ASSERT_TRUE(a);
  expect_problem(*a, 400, "malformed-request");
  EXPECT_EQ(a->body.find(test_pan), std::string::npos);
  EXPECT_TRUE(c.wait_closed(2s));
}

TEST_F(ProxyTest, OversizeBodyIs413WithoutReadingIt) {
  auto c = client();
  // Announce 1 MiB but send none of it: the answer must come from the headers alone.
  ASSERT_TRUE(c.write_raw("POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "Content-Length: 1048576\r\n\r\n"));
  auto a = c.read_answer(2s);
  ASSERT_TRUE(a);
  expect_problem(*a, 413, "body-too-large");
  EXPECT_FALSE(a->keep_alive);
  EXPECT_TRUE(c.wait_closed(2s));
}

TEST_F(ProxyTest, OversizeChunkedBodyIs413) {
  auto c = client();
  std::string chunk(3000, 'x');
  std::string raw = "POST /v1/payments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2; ++i) raw += "bb8\r\n" + chunk + "\r\n";
  raw += "0\r\n\r\n";
  c.write_raw(raw);
  auto a = c.read_answer(2s);
  ASSERT_TRUE(a);
  expect_problem(*a, 413, "body-too-large");
}

TEST_F(ProxyTest, ExpectContinueGetsTheBodyRead) {
  auto c = client();
  auto a = c.request("POST", "/v1/payments", payment, {{"Expect", "100-continue"}});
  EXPECT_EQ(a.status, 200u);
}

TEST_F(ProxyTest, OversizeHeaderIs431) {
  auto c = client();
  auto a = c.request("POST", "/v1/payments", payment, {{"X-Padding", std::string(4096, 'a')}});
  expect_problem(a, 431, "header-too-large");
}

TEST_F(ProxyTest, SlowHeaderIsClosedAtTheHeaderTimeout) {
  auto c = client();
  ASSERT_TRUE(c.write_raw("POST /v1/payments HTTP/1.1\r\nHost: x\r\n"));  // and then nothing
  auto closed_after = c.wait_closed(5s);
  ASSERT_TRUE(closed_after) << "connection still open after 5s";
  EXPECT_GE(*closed_after, 1500ms);  // header_timeout is 2s
  EXPECT_LE(*closed_after, 3500ms);
}

TEST_F(ProxyTest, SlowBodyIsClosedAtTheBodyTimeout) {
  auto c = client();
  ASSERT_TRUE(c.write_raw("POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"amount\":"));
  auto closed_after = c.wait_closed(4s);
  ASSERT_TRUE(closed_after) << "connection still open after 4s";
  EXPECT_GE(*closed_after, 700ms);  // body_timeout is 1s
  EXPECT_LE(*closed_after, 2500ms);
}

TEST_F(ProxyTest, IdleKeepAliveConnectionIsClosedAtTheIdleTimeout) {
  auto c = client();
  ASSERT_EQ(c.request("POST", "/v1/payments", payment).status, 200u);
  auto closed_after = c.wait_closed(4s);
  ASSERT_TRUE(closed_after);
  EXPECT_GE(*closed_after, 700ms);  // idle_timeout is 1s
  EXPECT_LE(*closed_after, 2500ms);
}

TEST_F(ProxyTest, UnreachableProcessorIs502) {
  auto c = client();
  expect_problem(c.request("POST", "/test/unreachable", payment), 502, "processor-unreachable");
}

TEST_F(ProxyTest, StalledProcessorIs504AtTheResponseTimeout) {
  auto c = client();
  auto start = std::chrono::steady_clock::now();
  expect_problem(c.request("POST", "/test/stall", payment), 504, "processor-timeout");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 600ms);  // response timeout is 700ms
  EXPECT_LE(took, 3s);
}

TEST_F(ProxyTest, ProcessorResetAndGarbageAre502) {
  auto c = client();
  expect_problem(c.request("POST", "/test/reset", payment), 502, "processor-failed");
  expect_problem(c.request("POST", "/test/garbage", payment), 502, "processor-failed");
}

TEST_F(ProxyTest, ProcessorErrorStatusIsPassedOn) {
  auto c = client();
  EXPECT_EQ(c.request("POST", "/test/500", payment).status, 500u);
}

TEST_F(ProxyTest, ProcessorClosingAfterAnAnswerIsHandled) {
  auto c = client();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.request("POST", "/test/close", payment).status, 200u);
    EXPECT_EQ(c.request("POST", "/v1/payments", payment).status, 200u);
  }
}

TEST_F(ProxyTest, KeepsServingOthersWhileAProcessorStalls) {
  std::thread stalled([&] {
    auto c = client();
    c.request("POST", "/test/stall", payment);
  });
  std::this_thread::sleep_for(100ms);
  auto c = client();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.request("POST", "/v1/payments", payment).status, 200u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  stalled.join();
}

TEST_F(ProxyTest, AccessLogHasOneLinePerRequestAndNoCardData) {
  auto c = client();
  auto a = c.request("POST", "/v1/payments", payment);
  const std::string id = a.header("x-request-id");
  // The access line is written after the answer; give it a moment to reach the file.
  std::string log;
  for (int i = 0; i < 100 && log.find(id) == std::string::npos; ++i) {
    std::this_thread::sleep_for(10ms);
    log = gateway_->log();
  }
  auto line_start = log.find("request_id=" + id);
  ASSERT_NE(line_start, std::string::npos) << log;
  std::string line = log.substr(line_start, log.find('\n', line_start) - line_start);
  EXPECT_NE(line.find("route=payments"), std::string::npos) << line;
  EXPECT_NE(line.find("status=200"), std::string::npos) << line;
  EXPECT_NE(line.find("latency_us="), std::string::npos) << line;
  EXPECT_EQ(log.find(test_pan), std::string::npos);
  EXPECT_EQ(log.find("expiry_year"), std::string::npos);
}

TEST(ProxyLimits, ConnectionsOverTheMaximumAreClosed) {
  auto dir = make_temp_dir("maxconn");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.limits = "      max_connections: 2\n";
  GatewayProcess gateway(dir, make_config(settings));
  HttpsClient first(gateway.port(), client_options());
  HttpsClient second(gateway.port(), client_options());
  EXPECT_EQ(first.request("POST", "/v1/payments", payment).status, 200u);
  EXPECT_THROW(HttpsClient(gateway.port(), client_options()), std::runtime_error);
  EXPECT_EQ(second.request("POST", "/v1/payments", payment).status, 200u);
}

TEST(ProxyLimits, PoolQueuesRequestsAndAFullQueueIs503) {
  auto dir = make_temp_dir("pool");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.threads = 1;
  settings.response_timeout = "5s";
  settings.connect_timeout = "5s";  // also bounds the wait for a pooled connection
  settings.processor_extra = "    pool: { max_connections: 1, max_waiting: 1 }\n";
  GatewayProcess gateway(dir, make_config(settings));
  // One connection and one waiting place: the first slow request holds the connection,
  // the second waits for it and is served after it, everything else gets 503 at once.
  std::vector<std::thread> slow;
  std::atomic<int> ok{0};
  for (int i = 0; i < 2; ++i) {
    slow.emplace_back([&] {
      HttpsClient c(gateway.port(), client_options());
      if (c.request("POST", "/test/slow?ms=1500", payment).status == 200) ++ok;
    });
    std::this_thread::sleep_for(200ms);
  }
  for (int i = 0; i < 3; ++i) {
    HttpsClient c(gateway.port(), client_options());
    auto start = std::chrono::steady_clock::now();
    expect_problem(c.request("POST", "/v1/payments", payment), 503, "processor-busy");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  }
  for (auto& t : slow) t.join();
  EXPECT_EQ(ok.load(), 2);
  // Once the queue drains the pool serves again.
  HttpsClient c(gateway.port(), client_options());
  EXPECT_EQ(c.request("POST", "/v1/payments", payment).status, 200u);
}

}  // namespace
// The processor's circuit breaker: consecutive failures open it (requests answered 503
// without reaching the processor), a probe after open_for closes it again; a connect
// failure is retried once, since the request never left.
TEST(ProxyBreaker, OpensOnFailuresAndClosesAfterASuccessfulProbe) {
  using namespace std::chrono_literals;
  auto dir = make_temp_dir("breaker");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.processor_extra = "    breaker: { failures: 3, open_for: 500ms }\n";
  GatewayProcess gateway(dir, make_config(settings));
  HttpsClient client(gateway.port(), client_options());
  const std::map<std::string, std::string> json{{"content-type", "application/json"}};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.request("POST", "/test/500", payment, json).status, 500u);
  auto refused = client.request("POST", "/v1/payments", payment, json);
  EXPECT_EQ(refused.status, 503u);
  EXPECT_NE(refused.body.find("urn:paygate:problem:processor-unavailable"), std::string::npos) << refused.body;
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(client.request("POST", "/v1/payments", payment, json).status, 200u);  // the probe
  EXPECT_EQ(client.request("POST", "/v1/payments", payment, json).status, 200u);  // closed again
  EXPECT_EQ(client.request("POST", "/test/unreachable", payment, json).status, 502u);
  const std::string log = gateway.log();
  EXPECT_NE(log.find("upstream=breaker_open"), std::string::npos);
  EXPECT_NE(log.find("retrying"), std::string::npos);
  EXPECT_NE(log.find("after=connect_failed"), std::string::npos) << log;
}

// The admin listener: health, readiness and Prometheus metrics, with labels from the
// configuration and paygate's own words only (never a merchant's text).
TEST(ProxyAdmin, HealthReadinessAndMetrics) {
  auto dir = make_temp_dir("admin");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  GatewayProcess gateway(dir, make_config(settings) + "admin: { address: 127.0.0.1:0 }\n");
  const std::string admin = "http://127.0.0.1:" + std::to_string(gateway.port("admin"));
  HttpsClient client(gateway.port(), client_options());
  const std::map<std::string, std::string> json{{"content-type", "application/json"}};
  ASSERT_EQ(client.request("POST", "/v1/payments", payment, json).status, 200u);
  EXPECT_EQ(client.request("POST", "/evil-4111111111111111", payment, json).status, 404u);
  EXPECT_EQ(client.request("POST", "/test/reset", payment, json).status, 502u);

  EXPECT_EQ(run_command("curl -sS " + admin + "/healthz").output, "ok\n");
  auto ready = run_command("curl -sS -w ' %{http_code}' " + admin + "/readyz");
  EXPECT_EQ(ready.output, "{\"ready\":true,\"problems\":[]}\n 200") << ready.output;
  const std::string metrics = run_command("curl -sS " + admin + "/metrics").output;
  for (const char* expected : {"paygate_requests_total{route=\"payments\",status=\"2xx\"} 1",
                               "paygate_requests_total{route=\"-\",status=\"4xx\"} 1",
                               "paygate_requests_total{route=\"fault-reset\",status=\"5xx\"} 1",
                               "paygate_upstream_errors_total{processor=\"sim\",kind=\"reset\"} 1",
                               "paygate_request_duration_seconds_count{route=\"payments\"} 1",
                               "paygate_breaker_state{processor=\"sim\"} 0",
                               "paygate_open_connections{listener=\"merchants\"} 1"}) {
    EXPECT_NE(metrics.find(expected), std::string::npos) << expected << "\n" << metrics;
  }
  EXPECT_EQ(metrics.find("evil"), std::string::npos);
  EXPECT_EQ(metrics.find("4111"), std::string::npos);
  EXPECT_NE(run_command("curl -sS -o /dev/null -w '%{http_code}' -X POST " + admin + "/metrics").output.find("405"),
            std::string::npos);
}

}  // namespace paygate::test

namespace paygate::test {

// The admin listener over mutual TLS (curl as the client): no certificate, no admin; a
// certificate from the client CA that is not in administrators (a merchant's: the
// security review got in with merchant-globex) gets 403; the administrator's works.
// Keys and an audit log (relative to the gateway's directory), so admin calls leave records.
std::string audited(const std::filesystem::path& dir) {
  make_dev_keyring(dir);
  return "keys: { keyring: keys/keyring.yaml }\naudit: { dir: audit, fsync: always }\n";
}

std::string admin_tls_yaml(const std::string& certs, const std::string& extra = "") {
  return "admin:\n  address: 127.0.0.1:0\n  administrators: [spiffe://paygate/admin/ops, spiffe://merchants/acme]\n"
         "  tls:\n    certificate: " + certs + "/gateway.pem\n    private_key: " + certs +
         "/gateway.key\n    client_ca: " + certs + "/ca.pem\n" + extra;
}

TEST(ProxyAdmin, MutualTlsAdminDemandsAnAdministratorsCertificate) {
  auto dir = make_temp_dir("admin-mtls");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  const std::string certs = certs_dir().string();
  GatewayProcess gateway(dir, make_config(settings) + audited(dir) + admin_tls_yaml(certs));
  const std::string url = "https://localhost:" + std::to_string(gateway.port("admin"));
  const std::string trust = "curl -sS --cacert " + certs + "/ca.pem ";
  auto as = [&](const std::string& who) { return trust + "--cert " + certs + "/" + who + ".pem --key " + certs + "/" + who + ".key "; };
  EXPECT_NE(run_command(trust + url + "/healthz 2>&1").exit_code, 0);
  EXPECT_NE(run_command("curl -sS http://127.0.0.1:" + std::to_string(gateway.port("admin")) + "/healthz 2>&1").output,
            "ok\n");
  EXPECT_EQ(run_command(as("merchant-globex") + "-w ' %{http_code}' " + url + "/healthz").output,
            "not an administrator\n 403");
  EXPECT_EQ(run_command(as("merchant-globex") + "-w ' %{http_code}' -X POST " + url + "/admin/reload").output,
            "not an administrator\n 403");
  EXPECT_EQ(run_command(as("admin-ops") + url + "/healthz").output, "ok\n");
  auto reload = run_command(as("admin-ops") + "-X POST " + url + "/admin/reload");
  EXPECT_NE(reload.output.find("\"reloaded\":true"), std::string::npos) << reload.output;
  const std::string records = audit_records(dir / "audit");
  EXPECT_NE(records.find(R"("administrator":null,"status":403)"), std::string::npos) << records;
  EXPECT_NE(records.find(R"("administrator":"spiffe://paygate/admin/ops","status":200)"), std::string::npos) << records;
}

// A reload that adds a CRL to admin.tls takes effect (the review saw {"reloaded":true}
// while a revoked certificate kept working).
TEST(ProxyAdmin, AReloadOfAdminTlsTakesEffect) {
  auto dir = make_temp_dir("admin-crl");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  const std::string certs = certs_dir().string();
  const std::string base = make_config(settings);
  GatewayProcess gateway(dir, base + admin_tls_yaml(certs));
  const std::string url = "https://localhost:" + std::to_string(gateway.port("admin"));
  auto as = [&](const std::string& who) {
    return "curl -sS --cacert " + certs + "/ca.pem --cert " + certs + "/" + who + ".pem --key " + certs + "/" + who + ".key ";
  };
  EXPECT_EQ(run_command(as("merchant-revoked") + url + "/healthz").output, "ok\n");  // SAN acme, not yet revoked here
  std::ofstream(gateway.config_file(), std::ios::trunc) << base + admin_tls_yaml(certs, "    client_crl: " + certs + "/ca.crl.pem\n");
  auto reload = run_command(as("admin-ops") + "-X POST " + url + "/admin/reload");
  ASSERT_NE(reload.output.find("\"reloaded\":true"), std::string::npos) << reload.output;
  EXPECT_NE(run_command(as("merchant-revoked") + url + "/healthz 2>&1").exit_code, 0);
  EXPECT_EQ(run_command(as("admin-ops") + url + "/healthz").output, "ok\n");
  // An admin TLS that cannot be built refuses the whole reload.
  std::ofstream(gateway.config_file(), std::ios::trunc)
      << base + admin_tls_yaml(certs, "    client_crl: " + (dir / "audit").string() + "\n");
  auto refused = run_command(as("admin-ops") + "-X POST " + url + "/admin/reload");
  EXPECT_NE(refused.output.find("\"reloaded\":false"), std::string::npos) << refused.output;
  EXPECT_EQ(run_command(as("admin-ops") + url + "/healthz").output, "ok\n");
}

// /admin/ calls share a token bucket; past it 429, and a flood leaves one audit record a
// second. Status endpoints (probes, scrapers) are not limited.
TEST(ProxyAdmin, AdminCallsAreRateLimitedAndAudited) {
  auto dir = make_temp_dir("admin-rate");
  TestConfig settings;
  settings.sim_port = 1;
  GatewayProcess gateway(dir, make_config(settings) + audited(dir) +
                                  "admin: { address: 127.0.0.1:0, rate_limit: { per_second: 1, burst: 5 } }\n");
  const std::string url = "http://127.0.0.1:" + std::to_string(gateway.port("admin"));
  std::string codes;
  for (int i = 0; i < 12; ++i) codes += run_command("curl -sS -o /dev/null -w '%{http_code} ' -X POST " + url + "/admin/nothing").output;
  EXPECT_EQ(codes.substr(0, 20), "404 404 404 404 404 ") << codes;
  EXPECT_NE(codes.find("429"), std::string::npos) << codes;
  EXPECT_EQ(run_command("curl -sS " + url + "/healthz").output, "ok\n");
  const std::string records = audit_records(dir / "audit");
  EXPECT_NE(records.find(R"("status":429,"detail":"rate_limited calls=1")"), std::string::npos) << records;
  EXPECT_NE(records.find(R"("path":"/admin/nothing")"), std::string::npos) << records;
}

// Without TLS the admin listener binds loopback only; with TLS it names its
// administrators.
TEST(ProxyAdmin, PlainAdminOffLoopbackOrTlsWithoutAdministratorsIsAConfigError) {
  auto dir = make_temp_dir("admin-config");
  TestConfig settings;
  settings.sim_port = 1;
  const std::string certs = certs_dir().string();
  auto check = [&](const std::string& admin) {
    std::ofstream(dir / "paygate.yaml", std::ios::trunc) << make_config(settings) + admin;
    return run_command(binary("paygate").string() + " check-config --config " + (dir / "paygate.yaml").string() + " 2>&1");
  };
  auto open = check("admin: { address: 0.0.0.0:9901 }\n");
  EXPECT_NE(open.exit_code, 0);
  EXPECT_NE(open.output.find("loopback"), std::string::npos) << open.output;
  auto anyone = check("admin:\n  address: 0.0.0.0:0\n  tls:\n    certificate: " + certs + "/gateway.pem\n    private_key: " +
                      certs + "/gateway.key\n    client_ca: " + certs + "/ca.pem\n");
  EXPECT_NE(anyone.exit_code, 0);
  EXPECT_NE(anyone.output.find("administrators"), std::string::npos) << anyone.output;
  EXPECT_EQ(check("admin: { address: \"[::1]:9901\" }\n").exit_code, 0);
}

TEST(ProxyAdmin, AdminTlsWithoutAClientCaIsAConfigError) {
  auto dir = make_temp_dir("admin-tls-config");
  TestConfig settings;
  settings.sim_port = 1;
  const std::string certs = certs_dir().string();
  const std::string yaml = make_config(settings) + "admin:\n  address: 127.0.0.1:0\n  tls:\n" + "    certificate: " +
                           certs + "/gateway.pem\n    private_key: " + certs + "/gateway.key\n";
  std::ofstream(dir / "paygate.yaml") << yaml;
  auto check = run_command(binary("paygate").string() + " check-config --config " + (dir / "paygate.yaml").string() + " 2>&1");
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE(check.output.find("admin.tls"), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("client_ca"), std::string::npos) << check.output;
}

}  // namespace paygate::test
