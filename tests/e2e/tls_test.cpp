// End to end with peers nobody here wrote: curl and openssl s_client against the real
// gateway. TLS policy (versions, client certificates) and the command line's exit codes.
#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <thread>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;

const std::string payment = R"({"amount":{"value":1000,"currency":"EUR"},"card":{"number":"4111111111111111"}})";

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("tls");
    sim_ = new Simulator(dir_);
    TestConfig settings;
    settings.sim_port = sim_->port();
    gateway_ = new GatewayProcess(dir_, make_config(settings));
    // A second gateway that demands a client certificate from the dev CA.
    auto mtls_dir = dir_ / "mtls";
    std::filesystem::create_directories(mtls_dir);
    settings.listener_tls = "      client_ca: " + (certs_dir() / "ca.pem").string() +
                            "\n      require_client_certificate: true\n";
    mtls_ = new GatewayProcess(mtls_dir, make_config(settings));
  }
  static void TearDownTestSuite() {
    delete mtls_;
    delete gateway_;
    delete sim_;
  }

  // s_client against `port` with extra flags. Its input stays open for `linger` so that
  // alerts the server sends after the client's side of the handshake (TLS 1.3 client
  // certificate checks) are read and printed before it exits.
  static CommandResult s_client(std::uint16_t port, const std::string& flags, const char* linger = "0") {
    return run_command(std::string("sleep ") + linger + " | openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                       " -servername localhost -CAfile " + (certs_dir() / "ca.pem").string() + " " + flags);
  }

  static inline std::filesystem::path dir_;
  static inline Simulator* sim_ = nullptr;
  static inline GatewayProcess* gateway_ = nullptr;
  static inline GatewayProcess* mtls_ = nullptr;
};

TEST_F(TlsTest, CurlGetsTheProcessorsAnswer) {
  auto r = run_command("curl -sS --fail-with-body --cacert " + (certs_dir() / "ca.pem").string() +
                       " -H 'content-type: application/json' -d '" + payment + "' https://localhost:" +
                       std::to_string(gateway_->port()) + "/v1/payments");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"status\":\"approved\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("411111******1111"), std::string::npos) << r.output;
}

TEST_F(TlsTest, CurlSeesProblemJsonForAnUnknownRoute) {
  auto r = run_command("curl -sS -i --cacert " + (certs_dir() / "ca.pem").string() + " https://localhost:" +
                       std::to_string(gateway_->port()) + "/nowhere");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("HTTP/1.1 404"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("application/problem+json"), std::string::npos) << r.output;
}

TEST_F(TlsTest, Tls13IsAccepted) {
  auto r = s_client(gateway_->port(), "-tls1_3 -verify_return_error");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("TLSv1.3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Verify return code: 0 (ok)"), std::string::npos) << r.output;
}

TEST_F(TlsTest, Tls12WithEcdheIsAccepted) {
  auto r = s_client(gateway_->port(), "-tls1_2 -verify_return_error");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ECDHE-"), std::string::npos) << r.output;
}

TEST_F(TlsTest, Tls12WithoutForwardSecrecyIsRefused) {
  auto r = s_client(gateway_->port(), "-tls1_2 -cipher AES128-GCM-SHA256");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("handshake failure"), std::string::npos) << r.output;
}

TEST_F(TlsTest, Tls11IsRefusedByTheServer) {
  // The client must really offer TLS 1.1 (Debian's default security level forbids it), so
  // that the refusal seen is the server's: a protocol_version alert.
  auto r = s_client(gateway_->port(), "-tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("alert protocol version"), std::string::npos) << r.output;
}

TEST_F(TlsTest, ClientCertificateIsRequiredWhenConfigured) {
  // TLS 1.2: the refusal is part of the handshake.
  auto without12 = s_client(mtls_->port(), "-tls1_2");
  EXPECT_NE(without12.exit_code, 0) << without12.output;
  EXPECT_NE(without12.output.find("handshake failure"), std::string::npos) << without12.output;
  // TLS 1.3: the server's refusal arrives after the client's side of the handshake.
  auto without13 = s_client(mtls_->port(), "-tls1_3", "1");
  EXPECT_NE(without13.output.find("alert certificate required"), std::string::npos) << without13.output;

  const std::string acme = "-cert " + (certs_dir() / "merchant-acme.pem").string() + " -key " +
                           (certs_dir() / "merchant-acme.key").string();
  for (const char* version : {"-tls1_2 ", "-tls1_3 "}) {
    auto with = s_client(mtls_->port(), version + acme, "1");
    EXPECT_EQ(with.exit_code, 0) << with.output;
    EXPECT_EQ(with.output.find("alert"), std::string::npos) << with.output;
  }
  HttpsClient client(mtls_->port(), client_options("acme"));
  EXPECT_EQ(client.request("POST", "/v1/payments", payment).status, 200u);
}

TEST_F(TlsTest, CertificateFromAnotherCaIsRefused) {
  // The processor's certificate is signed by the processor CA, which the listener does not trust.
  const std::string other = "-cert " + (certs_dir() / "processor.pem").string() + " -key " +
                            (certs_dir() / "processor.key").string();
  auto r12 = s_client(mtls_->port(), "-tls1_2 " + other);
  EXPECT_NE(r12.exit_code, 0) << r12.output;
  EXPECT_NE(r12.output.find("alert unknown ca"), std::string::npos) << r12.output;
  auto r13 = s_client(mtls_->port(), "-tls1_3 " + other, "1");
  EXPECT_NE(r13.output.find("alert unknown ca"), std::string::npos) << r13.output;
  EXPECT_THROW(
      {
        ClientOptions o = client_options();
        o.certificate = certs_dir() / "processor.pem";
        o.private_key = certs_dir() / "processor.key";
        HttpsClient client(mtls_->port(), o);
        client.request("POST", "/v1/payments", payment);
      },
      std::runtime_error);
}

TEST_F(TlsTest, RenegotiationIsRefused) {
  auto r = run_command("(echo R; sleep 1) | openssl s_client -connect 127.0.0.1:" + std::to_string(gateway_->port()) +
                       " -tls1_2 -CAfile " + (certs_dir() / "ca.pem").string());
  EXPECT_NE(r.output.find("RENEGOTIATING"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no renegotiation"), std::string::npos) << r.output;
}

TEST(Cli, CheckConfigListsEveryProblemAndExits1) {
  auto dir = make_temp_dir("cli");
  std::ofstream(dir / "bad.yaml") << "listeners: []\nprocessors: []\nroutes: []\ncolour: red\n";
  auto r = run_command(binary("paygate").string() + " check-config --config " + (dir / "bad.yaml").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("bad.yaml:1:12: listeners: at least one listener is needed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bad.yaml:4:1: colour: unknown key"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 problems found"), std::string::npos) << r.output;
}

TEST(Cli, CheckConfigAcceptsTheExample) {
  auto r = run_command(binary("paygate").string() + " check-config --config " +
                       (source_dir() / "config/examples/paygate.yaml").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ok (2 listeners, 2 processors, 6 routes)"), std::string::npos) << r.output;
}

TEST(Cli, ServeRefusesABrokenConfig) {
  auto dir = make_temp_dir("cli");
  std::ofstream(dir / "bad.yaml") << "listeners: 3\n";
  auto r = run_command(serve_shell_command({"--config", (dir / "bad.yaml").string()}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("refusing to start"), std::string::npos) << r.output;
}

TEST(Cli, UsageErrorsExit2AndHelpExits0) {
  EXPECT_EQ(run_command(binary("paygate").string() + " serve").exit_code, 2);
  EXPECT_EQ(run_command(binary("paygate").string() + " frobnicate").exit_code, 2);
  for (const char* command : {"", " serve", " check-config", " version"}) {
    auto r = run_command(binary("paygate").string() + command + " --help");
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.output.find("usage: paygate"), std::string::npos) << command;
  }
  auto v = run_command(binary("paygate").string() + " version");
  EXPECT_NE(v.output.find("paygate 0.1.0"), std::string::npos);
}

TEST(Cli, SigtermStopsTheGatewayWithExitCode0) {
  auto dir = make_temp_dir("cli");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  GatewayProcess gateway(dir, make_config(settings));
  EXPECT_EQ(gateway.process().stop(SIGTERM), 0);
  EXPECT_NE(gateway.log().find("stopped"), std::string::npos);
}

// SIGTERM drains: no new connections, idle keep-alive connections closed at once, the
// request in flight answered (its connection then closed), exit 0 well before the drain
// time is over.
TEST(Cli, SigtermDrainsInFlightRequestsThenExits0) {
  using namespace std::chrono_literals;
  auto dir = make_temp_dir("drain");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.response_timeout = "5s";
  GatewayProcess gateway(dir, "drain_timeout: 5s\n" + make_config(settings));
  HttpsClient idle(gateway.port(), client_options());
  ASSERT_EQ(idle.request("POST", "/v1/payments", payment, {{"content-type", "application/json"}}).status, 200u);
  HttpAnswer in_flight;
  std::thread slow([&] {
    HttpsClient c(gateway.port(), client_options());
    in_flight = c.request("POST", "/test/slow?ms=1500", payment, {{"content-type", "application/json"}});
  });
  std::this_thread::sleep_for(300ms);
  const auto start = std::chrono::steady_clock::now();
  ::kill(gateway.process().pid(), SIGTERM);
  auto closed = idle.wait_closed(1s);
  EXPECT_TRUE(closed.has_value()) << "the idle keep-alive connection stayed open";
  std::this_thread::sleep_for(200ms);
  EXPECT_THROW(HttpsClient(gateway.port(), client_options()), std::runtime_error) << "a new connection was accepted";
  slow.join();
  EXPECT_EQ(in_flight.status, 200u) << in_flight.body;
  EXPECT_EQ(in_flight.header("connection"), "close");
  EXPECT_EQ(gateway.process().wait(5s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  EXPECT_NE(gateway.log().find("draining"), std::string::npos);
}

TEST(Cli, ABusyPortIsAClearStartError) {
  auto dir = make_temp_dir("cli");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  std::string yaml = make_config(settings);
  // Listen where the simulator already listens.
  yaml.replace(yaml.find("127.0.0.1:0"), 11, "127.0.0.1:" + std::to_string(sim.port()));
  std::ofstream(dir / "busy.yaml") << yaml;
  auto r = run_command(serve_shell_command({"--config", (dir / "busy.yaml").string()}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("listener merchants: cannot listen on 127.0.0.1:" + std::to_string(sim.port())),
            std::string::npos) << r.output;
}

}  // namespace
}  // namespace paygate::test
