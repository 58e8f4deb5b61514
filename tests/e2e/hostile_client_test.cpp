// Hostile merchants-side clients against the real gateway: request smuggling probes are
// refused and never reach the processor, pipelined requests are answered in order, a
// thousand slowloris connections do not starve a normal client, and clients that vanish
// at every stage of an exchange leak nothing, lose no audit record and leave the vault
// consistent.
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/e2e.h"
#include "tests/support/raw_tcp.h"

namespace paygate::test {
namespace {

using Clock = std::chrono::steady_clock;

const std::string payment_body =
    R"({"merchant_reference":"o-1","amount":{"value":1299,"currency":"EUR"},)"
    R"("card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cvv":"737"}})";

std::string content_length() { return std::to_string(payment_body.size()); }

class HostileClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // This process opens a thousand connections; so does the gateway (it raises its own limit).
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);

    dir_ = make_temp_dir("hostile");
    make_dev_keyring(dir_);
    sim_ = new Simulator(dir_);
    TestConfig settings;
    settings.sim_port = sim_->port();
    settings.limits = "      header_timeout: 60s\n      body_timeout: 60s\n";
    settings.response_timeout = "5s";  // the slow route's processor takes 2 s
    // Idle processor connections go after 1 s, so descriptor counts settle quickly.
    settings.processor_extra = "    jwe: { public_key: " + (certs_dir() / "processor-jwe.pub.pem").string() +
                               " }\n    pool: { idle_timeout: 1s }\n";
    std::string yaml = make_config(settings);
    auto route = [](const std::string& name, const std::string& path, const std::string& upstream) {
      return "  - name: " + name + "\n    match: { method: POST, path: " + path + " }\n    processor: sim\n" +
             "    upstream_path: " + upstream + "\n    message: authorization\n    token_profile: cards\n" +
             "    request: { \"$.card.number\": [issue_token, encrypt_for_processor], \"$.card.cvv\": encrypt_for_processor }\n" +
             "    response: { \"$.card.number\": tokenize }\n";
    };
    yaml.insert(yaml.find("logging:"), route("pay", "/v2/payments", "/v1/authorizations") +
                                           route("pay-slow", "/v2/slow", "/sim/fault/slow"));
    yaml += "token_profiles:\n  cards: { kind: vault }\nvault: { store: sqlite, path: vault.db }\n"
            "keys: { keyring: keys/keyring.yaml }\naudit: { dir: audit, fsync: batch }\n"
            "admin: { address: 127.0.0.1:0 }\n";
    gateway_ = new GatewayProcess(dir_, yaml);
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete sim_;
  }

  static std::string metrics() {
    return run_command("curl -sS http://127.0.0.1:" + std::to_string(gateway_->port("admin")) + "/metrics").output;
  }
  static std::string token_of(const HttpAnswer& a) {
    return std::string(boost::json::parse(a.body).at("card").at("token").as_string());
  }

  static inline std::filesystem::path dir_;
  static inline Simulator* sim_ = nullptr;
  static inline GatewayProcess* gateway_ = nullptr;
};

TEST_F(HostileClientTest, SmugglingProbesAreRefusedAndNeverForwarded) {
  const std::string head = "POST /v1/payments HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
  const std::string chunked_body = std::to_string(payment_body.size()) + "\r\n" + payment_body + "\r\n0\r\n\r\n";
  const std::vector<std::pair<std::string, std::string>> probes{
      {"Content-Length with Transfer-Encoding",
       head + "Content-Length: " + content_length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body},
      {"Transfer-Encoding before Content-Length",
       head + "Transfer-Encoding: chunked\r\nContent-Length: " + content_length() + "\r\n\r\n" + chunked_body},
      {"two different Content-Lengths",
       head + "Content-Length: " + content_length() + "\r\nContent-Length: 5\r\n\r\n" + payment_body},
      {"a Content-Length list", head + "Content-Length: " + content_length() + ", 5\r\n\r\n" + payment_body},
      {"a signed Content-Length", head + "Content-Length: +" + content_length() + "\r\n\r\n" + payment_body},
      {"obs-fold", head + "X-Note: first\r\n second\r\nContent-Length: " + content_length() + "\r\n\r\n" + payment_body},
      {"obs-fold on Transfer-Encoding", head + "Transfer-Encoding:\r\n chunked\r\n\r\n" + chunked_body},
      {"bare LF line ends", "POST /v1/payments HTTP/1.1\nHost: localhost\nContent-Length: " + content_length() +
                                "\n\n" + payment_body},
      {"an invalid chunk size", head + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n" + payment_body + "\r\n0\r\n\r\n"},
      {"a chunk size overflow",
       head + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n" + payment_body + "\r\n0\r\n\r\n"},
      {"an unknown transfer coding", head + "Transfer-Encoding: xchunked\r\n\r\n" + chunked_body},
      {"chunked not last", head + "Transfer-Encoding: chunked, identity\r\n\r\n" + chunked_body},
      {"a space before the colon", head + "Content-Length : " + content_length() + "\r\n\r\n" + payment_body},
  };
  const std::uint64_t before = sim_->requests_received();
  for (const auto& [name, bytes] : probes) {
    HttpsClient client(gateway_->port(), client_options());
    ASSERT_TRUE(client.write_raw(bytes)) << name;
    auto answer = client.read_answer(std::chrono::seconds(5));
    ASSERT_TRUE(answer) << name << ": no answer";
    EXPECT_TRUE(answer->status == 400 || answer->status == 501) << name << ": " << answer->status << " " << answer->body;
    EXPECT_FALSE(answer->keep_alive) << name << ": the connection must not be reused after a refused frame";
    EXPECT_TRUE(client.wait_closed(std::chrono::seconds(5))) << name;
  }
  EXPECT_EQ(sim_->requests_received(), before) << "a probe reached the processor";
  // The same request, well framed, does reach it.
  HttpsClient client(gateway_->port(), client_options());
  ASSERT_TRUE(client.write_raw(head + "Content-Length: " + content_length() + "\r\n\r\n" + payment_body));
  auto answer = client.read_answer(std::chrono::seconds(5));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200u) << answer->body;
  EXPECT_EQ(sim_->requests_received(), before + 1);
}

TEST_F(HostileClientTest, PipelinedRequestsAreAnsweredInOrder) {
  HttpsClient client(gateway_->port(), client_options());
  // A slow forwarded payment, then a request answered at once, in one write.
  const std::string slow = "POST /v2/slow HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                           "Content-Length: " + content_length() + "\r\n\r\n" + payment_body;
  const std::string quick = "GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n";
  const std::string fast = "POST /v2/payments HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                           "Content-Length: " + content_length() + "\r\n\r\n" + payment_body;
  ASSERT_TRUE(client.write_raw(slow + quick + fast));
  auto first = client.read_answer(std::chrono::seconds(5));
  auto second = client.read_answer(std::chrono::seconds(5));
  auto third = client.read_answer(std::chrono::seconds(5));
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->status, 200u) << first->body;
  EXPECT_EQ(second->status, 404u) << second->body;
  EXPECT_EQ(third->status, 200u) << third->body;
  EXPECT_EQ(token_of(*first), token_of(*third));
}

TEST_F(HostileClientTest, AThousandSlowlorisConnectionsDoNotStarveANormalClient) {
  auto timed_payment = [] {
    const auto start = Clock::now();
    HttpsClient client(gateway_->port(), client_options());
    auto a = client.request("POST", "/v2/payments", payment_body, {{"content-type", "application/json"}});
    EXPECT_EQ(a.status, 200u) << a.body;
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  };
  auto median = [](std::vector<std::chrono::milliseconds> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::vector<std::chrono::milliseconds> quiet;
  for (int i = 0; i < 15; ++i) quiet.push_back(timed_payment());

  // 500 that never finish the TLS handshake, 500 that finish it and then trickle a header.
  std::vector<RawTcp> stuck_in_handshake;
  for (int i = 0; i < 500; ++i) {
    stuck_in_handshake.emplace_back(gateway_->port());
    ASSERT_TRUE(stuck_in_handshake.back().send(std::string("\x16\x03\x01\x02\x00\x01", 6)));
  }
  std::vector<std::unique_ptr<HttpsClient>> stuck_in_headers;
  for (int i = 0; i < 500; ++i) {
    stuck_in_headers.push_back(std::make_unique<HttpsClient>(gateway_->port(), client_options()));
    ASSERT_TRUE(stuck_in_headers.back()->write_raw("POST /v2/payments HTTP/1.1\r\nHost: x\r\n"));
  }
  EXPECT_NE(metrics().find("paygate_open_connections{listener=\"merchants\"} 10"), std::string::npos);
  std::vector<std::chrono::milliseconds> attacked;
  for (int i = 0; i < 15; ++i) {
    attacked.push_back(timed_payment());
    for (int j = 0; j < 500; j += 50) (void)stuck_in_headers[static_cast<std::size_t>(j)]->write_raw("X");
  }
  // Served, and within its usual latency (generous: the attack's sockets share the 2 cores).
  EXPECT_LE(median(attacked), 4 * median(quiet) + std::chrono::milliseconds(50))
      << "quiet median " << median(quiet).count() << " ms, attacked " << median(attacked).count() << " ms";
  EXPECT_LE(*std::max_element(attacked.begin(), attacked.end()), std::chrono::milliseconds(2000));
}

TEST_F(HostileClientTest, ClientsVanishingAtEveryStageLeakNothingAndLoseNoAuditRecord) {
  HttpsClient warm(gateway_->port(), client_options());
  const std::string token =
      token_of(warm.request("POST", "/v2/payments", payment_body, {{"content-type", "application/json"}}));
  const std::size_t baseline_fds = open_descriptors(gateway_->process().pid());
  auto count_slow = [] {
    const std::string records = audit_records(dir_ / "audit");
    std::size_t n = 0;
    for (auto pos = records.find(R"("route":"pay-slow")"); pos != std::string::npos;
         pos = records.find(R"("route":"pay-slow")", pos + 1)) {
      ++n;
    }
    return n;
  };
  const std::size_t slow_before = count_slow();
  const std::string request_head = "POST /v2/slow HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                   "Content-Length: " + content_length() + "\r\n\r\n";
  constexpr int rounds = 10;
  for (int i = 0; i < rounds; ++i) {
    { RawTcp connected_only(gateway_->port()); }
    {
      RawTcp half_hello(gateway_->port());
      (void)half_hello.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
    }
    { HttpsClient after_handshake(gateway_->port(), client_options()); }
    {
      HttpsClient mid_headers(gateway_->port(), client_options());
      (void)mid_headers.write_raw("POST /v2/slow HTTP/1.1\r\nHost: loc");
    }
    {
      HttpsClient mid_body(gateway_->port(), client_options());
      (void)mid_body.write_raw(request_head + payment_body.substr(0, 40));
    }
    {
      // The whole request, then gone while the processor takes 2 s: the payment
      // completes and is audited although nobody reads the answer.
      HttpsClient before_answer(gateway_->port(), client_options());
      ASSERT_TRUE(before_answer.write_raw(request_head + payment_body));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  // Every exchange has ended (the last slow payments included) and everything is released.
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  std::string m;
  while (Clock::now() < deadline) {
    m = metrics();
    if (m.find("paygate_open_connections{listener=\"merchants\"} 1\n") != std::string::npos &&
        open_descriptors(gateway_->process().pid()) <= baseline_fds + 2) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(m.find("paygate_open_connections{listener=\"merchants\"} 1\n"), std::string::npos)
      << "only the warm connection stays open\n" << m;
  EXPECT_LE(open_descriptors(gateway_->process().pid()), baseline_fds + 2)
      << run_command("ls -l /proc/" + std::to_string(gateway_->process().pid()) + "/fd; ss -tanp | grep " +
                     std::to_string(gateway_->process().pid())).output;
  // One audit record per slow payment whose client vanished (audit batch: wait for it).
  for (int i = 0; i < 50 && count_slow() < slow_before + rounds; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(count_slow(), slow_before + rounds);
  auto verify = run_command(binary("paygate").string() + " audit verify " + (dir_ / "audit").string() + " --config " +
                            gateway_->config_file().string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  // The vault kept one token for the card through all of it.
  EXPECT_EQ(token_of(warm.request("POST", "/v2/payments", payment_body, {{"content-type", "application/json"}})), token);
}

}  // namespace
}  // namespace paygate::test
