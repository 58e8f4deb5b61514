// A processor that breaks in the ways a network allows, behind the real gateway: each
// fault ends in the documented 502/503/504 for that request only, the gateway keeps no
// connection it should have let go, and the breaker opens and closes as documented.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string payment =
    R"({"merchant_reference":"o-1","amount":{"value":1000,"currency":"EUR"},)"
    R"("card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cvv":"737"}})";
const std::map<std::string, std::string> json{{"content-type", "application/json"}};

void expect_problem(const HttpAnswer& a, unsigned status, const std::string& type) {
  EXPECT_EQ(a.status, status) << a.body;
  EXPECT_NE(a.body.find("urn:paygate:problem:" + type), std::string::npos) << a.body;
  EXPECT_FALSE(a.header("x-request-id").empty());
  EXPECT_NE(a.body.find(a.header("x-request-id")), std::string::npos) << "the problem names its request id";
}

// One gateway with a processor per certificate fault next to the healthy simulator.
TEST(ProcessorFaults, EachFaultAnswersItsOwnRequestOnlyWithTheDocumentedStatus) {
  auto dir = make_temp_dir("processor-faults");
  Simulator sim(dir);
  const auto slow_dir = dir / "slow-handshake";
  const auto expired_dir = dir / "expired";
  std::filesystem::create_directories(slow_dir);
  std::filesystem::create_directories(expired_dir);
  Simulator slow_handshake(slow_dir, {"--handshake-delay-ms", "3000"});
  Simulator expired(expired_dir, {"--certificate", (certs_dir() / "processor-expired.pem").string(), "--private-key",
                                  (certs_dir() / "processor-expired.key").string()});
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.response_timeout = "700ms";
  settings.processor_extra = "    breaker: { failures: 1000, open_for: 1s }\n";
  auto processor = [&](const std::string& name, std::uint16_t port, const std::string& ca, const std::string& host) {
    return "  - name: " + name + "\n    url: https://127.0.0.1:" + std::to_string(port) + "\n    tls: { ca: " +
           (certs_dir() / ca).string() + ", server_name: " + host + " }\n    timeouts: { connect: 500ms, response: 700ms }\n";
  };
  settings.processors_extra = processor("slow-handshake", slow_handshake.port(), "processor-ca.pem", "processor.local") +
                              processor("expired", expired.port(), "ca.pem", "processor.local") +
                              processor("wrong-name", sim.port(), "processor-ca.pem", "payments.example");
  auto route = [](const std::string& name, const std::string& target, const std::string& upstream) {
    return "  - name: " + name + "\n    match: { method: POST, path: /t/" + name + " }\n    processor: " + target +
           "\n    upstream_path: " + upstream + "\n";
  };
  settings.routes_extra = route("slow-handshake", "slow-handshake", "/v1/authorizations") +
                          route("expired", "expired", "/v1/authorizations") +
                          route("wrong-name", "wrong-name", "/v1/authorizations") +
                          route("half", "sim", "/sim/fault/half") + route("stall-body", "sim", "/sim/fault/stall-body");
  GatewayProcess gateway(dir, make_config(settings));
  HttpsClient client(gateway.port(), client_options());
  ASSERT_EQ(client.request("POST", "/v1/payments", payment, json).status, 200u);
  const std::size_t baseline_fds = open_descriptors(gateway.process().pid());

  struct Case {
    std::string path;
    unsigned status;
    std::string problem;
  };
  const std::vector<Case> cases{
      {"/test/unreachable", 502, "processor-unreachable"},  // connection refused
      {"/test/reset", 502, "processor-failed"},             // reset before an answer
      {"/t/half", 502, "processor-failed"},                 // reset in the middle of the answer
      {"/test/stall", 504, "processor-timeout"},            // no answer at all
      {"/t/stall-body", 504, "processor-timeout"},          // headers, then silence
      {"/test/garbage", 502, "processor-failed"},           // not HTTP
      {"/t/slow-handshake", 504, "processor-timeout"},      // TLS handshake slower than connect timeout
      {"/t/expired", 502, "processor-unreachable"},         // expired certificate: never trusted
      {"/t/wrong-name", 502, "processor-unreachable"},      // certificate for another host name
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    const auto start = Clock::now();
    HttpsClient fresh(gateway.port(), client_options());
    expect_problem(fresh.request("POST", c.path, payment, json), c.status, c.problem);
    EXPECT_LT(Clock::now() - start, 3s);
    // Only that request failed: the next one on the same gateway is served.
    EXPECT_EQ(client.request("POST", "/v1/payments", payment, json).status, 200u);
  }
  const std::string log = gateway.log();
  EXPECT_EQ(log.find("4111111111111111"), std::string::npos);
  // Nothing held on to: the descriptors of the failed exchanges are closed (the slow
  // handshake's is, once the simulator gives up on it).
  for (int i = 0; i < 50 && open_descriptors(gateway.process().pid()) > baseline_fds + 1; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_LE(open_descriptors(gateway.process().pid()), baseline_fds + 1);
}

// A processor that drops kept-alive connections at random: the pool notices most of them
// before reuse; a request that meets one mid-reuse fails alone with a 502, and the pool
// never holds more connections than its maximum.
TEST(ProcessorFaults, RandomlyDroppedKeepAliveConnectionsFailOnlyTheRequestsThatMeetThem) {
  auto dir = make_temp_dir("processor-drops");
  Simulator sim(dir, {"--drop-idle-probability", "0.3"});
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.processor_extra = "    pool: { max_connections: 4 }\n    breaker: { failures: 1000, open_for: 1s }\n";
  GatewayProcess gateway(dir, make_config(settings));
  const std::size_t baseline_fds = open_descriptors(gateway.process().pid());
  std::atomic<int> ok{0}, failed{0}, other{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      HttpsClient client(gateway.port(), client_options());
      for (int i = 0; i < 60; ++i) {
        auto a = client.request("POST", "/v1/payments", payment, json);
        if (a.status == 200) {
          ++ok;
        } else if (a.status == 502 && a.body.find("urn:paygate:problem:processor-failed") != std::string::npos) {
          ++failed;
        } else {
          ++other;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(i % 7));  // let some idle drops land
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok + failed, 240);
  // A failure needs a drop; drops the pool noticed first (the connection idle and closed
  // before its reuse) cost nothing. POSTs are not retried: nobody can prove the
  // processor never saw one that met a closing connection.
  const auto dropped = static_cast<int>(sim.connections_dropped());
  EXPECT_GT(dropped, 20);
  EXPECT_LE(failed.load(), dropped) << failed << " failed, " << dropped << " dropped";
  // Merchant connections (4) plus at most the pool's 4 upstream ones, over the baseline.
  EXPECT_LE(open_descriptors(gateway.process().pid()), baseline_fds + 8);
}

}  // namespace
}  // namespace paygate::test
