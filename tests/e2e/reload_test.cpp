// Hot reload end to end: SIGHUP and POST /admin/reload re-read the configuration, the
// keyring and the certificates, build a whole new snapshot and swap it in. Requests keep
// flowing through 20 reloads without one failing; a promoted data key seals new envelopes
// while old ones still open; a bad set is refused as a whole and the old one keeps
// serving; a rotated server certificate reaches new connections; and every outcome and
// key change is in the audit log.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "card/detect.h"
#include "config/keyring_loader.h"
#include "crypto/aead_envelope.h"
#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

const std::string authorization =
    R"({"merchant_reference":"order-1","amount":{"value":1299,"currency":"EUR"},)"
    R"("card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cvv":"737"}})";

// The test configuration, with what a reload may change: the payment route's amount cap,
// an optional extra route, and the listener's certificate.
struct Variant {
  std::int64_t max_amount = 100000;
  bool extra_route = false;
  std::filesystem::path certificate;  // empty: the dev gateway certificate
};

std::string config_yaml(std::uint16_t sim_port, const Variant& v) {
  TestConfig settings;
  settings.sim_port = sim_port;
  settings.processor_extra = "    jwe: { public_key: " + (certs_dir() / "processor-jwe.pub.pem").string() + " }\n";
  std::string yaml = make_config(settings);
  if (!v.certificate.empty()) {
    const std::string dev = (certs_dir() / "gateway.pem").string();
    yaml.replace(yaml.find(dev), dev.size(), v.certificate.string());
  }
  std::string routes =
      "  - name: pay\n    match: { method: POST, path: /v2/payments }\n"
      "    processor: sim\n    upstream_path: /v1/authorizations\n    message: authorization\n"
      "    max_amount: " + std::to_string(v.max_amount) + "\n    token_profile: cards\n"
      R"(    request: { "$.card.number": [issue_token, encrypt_for_processor], "$.card.cvv": encrypt_for_processor })" "\n"
      R"(    response: { "$.card.number": tokenize, "$.authorization_code": encrypt })" "\n";
  if (v.extra_route) routes += "  - name: extra\n    match: { method: POST, path: /v2/extra }\n    processor: sim\n    upstream_path: /v1/authorizations\n";
  yaml.insert(yaml.find("logging:"), routes);
  yaml += "token_profiles:\n  cards: { kind: vault }\n";
  yaml += "vault: { store: sqlite, path: vault.db }\n";
  yaml += "keys: { keyring: keys/keyring.yaml }\n";
  yaml += "audit: { dir: audit, fsync: batch }\n";
  yaml += "admin: { address: 127.0.0.1:0 }\n";
  return yaml;
}

void write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::trunc);
  out << text;
}

class ReloadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim_dir_ = make_temp_dir("reload-sim");
    sim_ = new Simulator(sim_dir_);
  }
  static void TearDownTestSuite() { delete sim_; }

  void SetUp() override {
    dir_ = make_temp_dir("reload");
    make_dev_keyring(dir_);
    gateway_ = std::make_unique<GatewayProcess>(dir_, config_yaml(sim_->port(), {}));
  }

  std::string admin_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(gateway_->port("admin")) + path;
  }
  std::string metrics() const { return run_command("curl -sS " + admin_url("/metrics")).output; }

  // POST /admin/reload: the JSON answer, with "status" added.
  boost::json::object reload_by_admin() const {
    auto r = run_command("curl -sS -w '\\n%{http_code}' -X POST " + admin_url("/admin/reload"));
    const auto newline = r.output.rfind('\n');
    auto answer = boost::json::parse(r.output.substr(0, newline)).as_object();
    answer["status"] = std::stoi(r.output.substr(newline + 1));
    return answer;
  }

  // SIGHUP, then wait until /metrics shows `generation` (or give up after 10 s).
  bool reload_by_signal(std::uint64_t generation) const {
    ::kill(gateway_->process().pid(), SIGHUP);
    const std::string line = "paygate_config_generation " + std::to_string(generation) + "\n";
    for (int i = 0; i < 500; ++i) {
      if (metrics().find(line) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  HttpAnswer pay() const {
    HttpsClient client(gateway_->port(), client_options());
    return client.request("POST", "/v2/payments", authorization, {{"content-type", "application/json"}});
  }

  std::string audit_records() const {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // fsync batch: let the writer reach the file
    return test::audit_records(dir_ / "audit");
  }

  static std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  static inline std::filesystem::path sim_dir_;
  static inline Simulator* sim_ = nullptr;
  std::filesystem::path dir_;
  std::unique_ptr<GatewayProcess> gateway_;
};

TEST_F(ReloadTest, TwentyReloadsUnderContinuousLoadFailNoRequest) {
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::vector<std::string> failures;
  std::mutex failures_mutex;
  auto note_failure = [&](const std::string& what) {
    ++failed;
    std::lock_guard lock(failures_mutex);
    if (failures.size() < 10) failures.push_back(what);
  };
  auto count_answer = [&](const HttpAnswer& a) {
    if (a.status == 200) ++ok;
    else note_failure(std::to_string(a.status) + " " + a.body);
  };
  std::vector<std::thread> clients;
  // Two keep-alive connections (their requests straddle reloads) and one that opens a new
  // connection (and a new TLS handshake) per request.
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&] {
      try {
        HttpsClient client(gateway_->port(), client_options());
        while (!stop) count_answer(client.request("POST", "/v2/payments", authorization, {{"content-type", "application/json"}}));
      } catch (const std::exception& e) {
        note_failure(e.what());
      }
    });
  }
  clients.emplace_back([&] {
    while (!stop) {
      try {
        count_answer(pay());
      } catch (const std::exception& e) {
        note_failure(e.what());
      }
    }
  });

  for (std::uint64_t generation = 2; generation <= 21; ++generation) {
    Variant v;
    v.max_amount = 100000 + static_cast<std::int64_t>(generation);
    v.extra_route = generation % 2 == 1;
    write_text(gateway_->config_file(), config_yaml(sim_->port(), v));
    if (generation % 2 == 0) {
      auto answer = reload_by_admin();
      ASSERT_EQ(answer.at("status").as_int64(), 200) << boost::json::serialize(answer);
      EXPECT_EQ(answer.at("reloaded").as_bool(), true);
      EXPECT_EQ(answer.at("generation").as_int64(), static_cast<std::int64_t>(generation));
    } else {
      ASSERT_TRUE(reload_by_signal(generation)) << gateway_->log();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  for (auto& t : clients) t.join();

  EXPECT_EQ(failed.load(), 0) << (failures.empty() ? "" : failures.front());
  EXPECT_GT(ok.load(), 40);
  const std::string m = metrics();
  EXPECT_NE(m.find("paygate_reloads_total{outcome=\"success\"} 20"), std::string::npos) << m;
  EXPECT_NE(m.find("paygate_reloads_total{outcome=\"refused\"} 0"), std::string::npos) << m;
  // The last configuration (generation 21: odd) has the extra route.
  HttpsClient client(gateway_->port(), client_options());
  EXPECT_NE(client.request("POST", "/v2/extra", "{}", {{"content-type", "application/json"}}).status, 404u);
  const std::string records = audit_records();
  EXPECT_EQ(count(records, R"("type":"reload")"), 20u);
  EXPECT_EQ(count(records, R"("actor":"signal:SIGHUP")"), 10u) << "the odd generations came by signal";
  EXPECT_EQ(count(records, R"("actor":"admin:loopback")"), 10u);
  EXPECT_EQ(count(records, R"("result":"success")"), 20u);
  EXPECT_TRUE(card::find_pans(records).empty());
  EXPECT_TRUE(card::find_pans(gateway_->log()).empty());
}

TEST_F(ReloadTest, APromotedDataKeySealsNewEnvelopesAndOldOnesStillOpen) {
  auto first = pay();
  ASSERT_EQ(first.status, 200u) << first.body;
  const std::string old_envelope(boost::json::parse(first.body).at("authorization_code").as_string());
  ASSERT_EQ(old_envelope.rfind("pg1.data-dev-1.", 0), 0u) << old_envelope;

  // A new data key, first added as active, then promoted (the old primary demoted).
  const auto keys = dir_ / "keys";
  auto made = run_command(binary("paygate").string() + " keys generate --use data --id data-dev-2 --state active --out " +
                          (keys / "data-dev-2.wrapped").string() + " --wrap kek-dev --keyring " +
                          (keys / "keyring.yaml").string() + " 2>/dev/null");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::string keyring = read_file(keys / "keyring.yaml");
  const std::string entry = made.output;  // a keyring entry naming the file
  write_text(keys / "keyring.yaml", keyring + entry);
  auto added = reload_by_admin();
  ASSERT_EQ(added.at("status").as_int64(), 200) << boost::json::serialize(added);
  EXPECT_EQ(added.at("key_changes").as_int64(), 1);
  EXPECT_EQ(std::string(boost::json::parse(pay().body).at("authorization_code").as_string()).rfind("pg1.data-dev-1.", 0), 0u);

  keyring = read_file(keys / "keyring.yaml");
  const auto first_primary = keyring.find("state: primary");  // data-dev-1 comes first
  keyring.replace(first_primary, 14, "state: active");
  const auto second = keyring.find("state: active", keyring.find("id: data-dev-2"));
  keyring.replace(second, 13, "state: primary");
  write_text(keys / "keyring.yaml", keyring);
  auto promoted = reload_by_admin();
  ASSERT_EQ(promoted.at("status").as_int64(), 200) << boost::json::serialize(promoted);
  EXPECT_EQ(promoted.at("key_changes").as_int64(), 2);

  auto after = pay();
  ASSERT_EQ(after.status, 200u) << after.body;
  const std::string new_envelope(boost::json::parse(after.body).at("authorization_code").as_string());
  EXPECT_EQ(new_envelope.rfind("pg1.data-dev-2.", 0), 0u) << new_envelope;

  // Both open with the keyring as it is now: the old key is still active.
  auto ring = config::load_keyring(keys / "keyring.yaml");
  ASSERT_TRUE(ring.ok());
  crypto::EnvelopeCipher cipher(ring.keyring);
  EXPECT_TRUE(cipher.open(old_envelope, "$.authorization_code", "anonymous").ok());
  EXPECT_TRUE(cipher.open(new_envelope, "$.authorization_code", "anonymous").ok());

  const std::string records = audit_records();
  EXPECT_NE(records.find(R"("key_id":"data-dev-2","use":"data","change":"added","state":"active")"), std::string::npos)
      << records;
  EXPECT_NE(records.find(R"("key_id":"data-dev-2","use":"data","change":"promoted","state":"primary")"), std::string::npos);
  EXPECT_NE(records.find(R"("key_id":"data-dev-1","use":"data","change":"demoted","state":"active")"), std::string::npos);
  // Each key_state record names the material by its check value, its KEK, and who asked.
  std::string kcv;
  for (const auto& k : ring.keyring->keys()) {
    if (k.id() == "data-dev-2") kcv = k.check_value();
  }
  EXPECT_NE(records.find(R"("key_id":"data-dev-2","use":"data","change":"promoted","state":"primary","kcv":")" + kcv +
                         R"(","kek_id":"kek-dev","actor":"admin:loopback")"),
            std::string::npos) << records;
  EXPECT_NE(records.find(R"("type":"reload","result":"success","actor":"admin:loopback")"), std::string::npos);
  EXPECT_NE(metrics().find("paygate_key_use_total{key_id=\"data-dev-2\",use=\"data\"} 1"), std::string::npos);
  auto verify = run_command(binary("paygate").string() + " audit verify " + (dir_ / "audit").string() + " --config " +
                            gateway_->config_file().string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(ReloadTest, AnInvalidSetIsRefusedAsAWholeAndTheOldKeepsServing) {
  const std::string good = read_file(gateway_->config_file());
  struct Case {
    std::string name;
    std::function<void()> breakit;
    std::string expected;  // in the errors
  };
  const auto keys = dir_ / "keys";
  const std::string keyring = read_file(keys / "keyring.yaml");
  const std::string data_key = read_file(keys / "data-dev-1.wrapped");
  // The same id wrapped around other material (under the same KEK).
  ASSERT_EQ(run_command(binary("paygate").string() + " keys generate --use data --id data-dev-1 --out " +
                        (dir_ / "other.wrapped").string() + " --wrap kek-dev --keyring " +
                        (keys / "keyring.yaml").string() + " >/dev/null 2>&1").exit_code, 0);
  const std::string other_key = read_file(dir_ / "other.wrapped");
  const std::vector<Case> cases = {
      {"yaml", [&] { write_text(gateway_->config_file(), good + "routes: [\n"); }, "paygate.yaml:"},
      {"unknown key", [&] { write_text(gateway_->config_file(), good + "thread: 4\n"); }, "thread"},
      {"listener address",
       [&] {
         std::string y = good;
         y.replace(y.find("127.0.0.1:0"), 11, "127.0.0.2:0");
         write_text(gateway_->config_file(), y);
       },
       "listeners[0].address"},
      {"missing key file",
       [&] { write_text(keys / "keyring.yaml", keyring + "  - { id: data-x, use: data, algorithm: aes-256-gcm, state: active, wrapped: nope.wrapped }\n"); },
       "nope.wrapped"},
      {"KEK component missing",
       [&] { std::filesystem::rename(keys / "kek-dev.component-2", dir_ / "component-2.away"); },
       "KEK kek-dev: KEK component 2"},
      {"same id, other material",
       [&] {
         write_text(keys / "data-dev-1.wrapped", other_key);
       },
       "data-dev-1"},
      {"server certificate",
       [&] {
         std::string y = good;
         const std::string dev = (certs_dir() / "gateway.pem").string();
         y.replace(y.find(dev), dev.size(), (dir_ / "garbage.pem").string());
         write_text(dir_ / "garbage.pem", "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
         write_text(gateway_->config_file(), y);
       },
       "listener merchants"},
  };
  int refused = 0;
  for (const auto& c : cases) {
    c.breakit();
    auto answer = reload_by_admin();
    EXPECT_EQ(answer.at("status").as_int64(), 422) << c.name;
    EXPECT_EQ(answer.at("reloaded").as_bool(), false) << c.name;
    EXPECT_EQ(answer.at("generation").as_int64(), 1) << c.name;
    const std::string errors = boost::json::serialize(answer.at("errors"));
    EXPECT_NE(errors.find(c.expected), std::string::npos) << c.name << ": " << errors;
    ++refused;
    // The old set keeps serving.
    EXPECT_EQ(pay().status, 200u) << c.name;
    write_text(gateway_->config_file(), good);
    write_text(keys / "keyring.yaml", keyring);
    write_text(keys / "data-dev-1.wrapped", data_key);
    if (!std::filesystem::exists(keys / "kek-dev.component-2"))
      std::filesystem::rename(dir_ / "component-2.away", keys / "kek-dev.component-2");
  }
  const std::string m = metrics();
  EXPECT_NE(m.find("paygate_reloads_total{outcome=\"refused\"} " + std::to_string(refused)), std::string::npos) << m;
  EXPECT_NE(m.find("paygate_config_generation 1\n"), std::string::npos);
  EXPECT_EQ(count(audit_records(), R"("result":"refused")"), static_cast<std::size_t>(refused));
  EXPECT_NE(gateway_->log().find("reload refused"), std::string::npos);
  // Key material never reaches the log or the answer.
  EXPECT_EQ(gateway_->log().find(std::string(64, 'a')), std::string::npos);
  // Repaired, it reloads.
  EXPECT_EQ(reload_by_admin().at("status").as_int64(), 200);
}

// A new server certificate reaches new connections after a reload (seen by openssl
// s_client), while a keep-alive connection from before keeps working.
TEST_F(ReloadTest, ARotatedServerCertificateReachesNewConnections) {
  auto serial_seen = [&] {
    return run_command("echo | openssl s_client -connect 127.0.0.1:" + std::to_string(gateway_->port()) +
                       " -servername localhost 2>/dev/null | openssl x509 -noout -serial")
        .output;
  };
  const std::string before = serial_seen();
  ASSERT_NE(before.find("serial="), std::string::npos) << before;
  HttpsClient kept(gateway_->port(), client_options());
  ASSERT_EQ(kept.request("POST", "/v2/payments", authorization, {{"content-type", "application/json"}}).status, 200u);

  // The same key, a new certificate from the dev CA.
  const auto rotated = dir_ / "gateway-rotated.pem";
  write_text(dir_ / "san.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  auto made = run_command(
      "cd " + certs_dir().string() + " && openssl req -new -key gateway.key -subj /CN=localhost 2>/dev/null | "
      "openssl x509 -req -CA ca.pem -CAkey ca.key -days 2 -set_serial 0x7e57 -extfile " + (dir_ / "san.ext").string() +
      " -out " + rotated.string() + " 2>&1");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  Variant v;
  v.certificate = rotated;
  write_text(gateway_->config_file(), config_yaml(sim_->port(), v));
  ASSERT_EQ(reload_by_admin().at("status").as_int64(), 200);

  EXPECT_NE(serial_seen().find("serial=7E57"), std::string::npos);
  EXPECT_EQ(pay().status, 200u);
  EXPECT_EQ(kept.request("POST", "/v2/payments", authorization, {{"content-type", "application/json"}}).status, 200u);
}

}  // namespace
}  // namespace paygate::test
