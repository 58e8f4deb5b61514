// ISO 8583 over TLS end to end: a test client sends interleaved requests on one
// connection to the real gateway, which tokenizes and detokenizes card fields inline and
// multiplexes them over long-lived links to the simulator's ISO 8583 endpoint, which
// answers out of order and misbehaves on request. Checked: every answer matches its
// request, tokens both ways, time-outs with the configured code, late answers dropped,
// a dropped link reconnects, each bad input, a reload with connections open, audit
// records and metrics, and no card number in any log.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <set>
#include <thread>

#include <boost/json/parse.hpp>

#include "card/detect.h"
#include "config/iso8583_spec_loader.h"
#include "card/luhn.h"
#include "tests/support/e2e.h"
#include "tests/support/iso_client.h"

namespace paygate::test {
namespace {

namespace iso = protocol::iso8583;

iso::Message request(const std::string& mti, int stan, const std::string& pan, const std::string& amount = "000000001000",
                     const std::string& processing = "000000") {
  return iso_request(mti, stan, pan, amount, processing);
}

class Iso8583Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("iso8583");
    make_dev_keyring(dir_);
    sim_ = new Simulator(dir_);
    auto loaded = config::load_iso8583_spec(config::iso8583_spec_path("iso8583-1987-ascii"));
    ASSERT_TRUE(loaded.ok());
    spec_ = loaded.spec;
    gateway_ = new GatewayProcess(dir_, config_yaml());
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete sim_;
  }

  static std::string config_yaml() {
    const std::string certs = certs_dir().string();
    TestConfig settings;
    settings.sim_port = sim_->port();
    settings.listeners_extra =
        "  - name: acquirers\n    kind: iso8583\n    address: 127.0.0.1:0\n"
        "    tls: { certificate: " + certs + "/gateway.pem, private_key: " + certs + "/gateway.key, client_ca: " + certs +
        "/ca.pem, require_client_certificate: true }\n"
        "    limits: { header_timeout: 2s, idle_timeout: 30s, send_buffer: 16384 }\n"
        "    iso8583: { spec: iso8583-1987-ascii, framing: binary2, max_frame: 2048, max_write_queue: 64 }\n"
        // The npm package iso_8583's dialect (binary bitmaps, always secondary): the gateway
        // translates between it and the processor's.
        "  - name: npm-hosts\n    kind: iso8583\n    address: 127.0.0.1:0\n"
        "    tls: { certificate: " + certs + "/gateway.pem, private_key: " + certs + "/gateway.key, client_ca: " + certs +
        "/ca.pem, require_client_certificate: true }\n"
        "    iso8583: { spec: iso8583-npm, framing: binary2 }\n";
    settings.processors_extra =
        "  - name: iso-sim\n    url: tls://127.0.0.1:" + std::to_string(sim_->iso_port()) + "\n"
        "    tls: { ca: " + certs + "/processor-ca.pem, server_name: processor.local }\n"
        "    timeouts: { connect: 1s, response: 800ms }\n    breaker: { failures: 50, open_for: 1s }\n"
        "    iso8583: { spec: iso8583-1987-ascii, framing: binary2, links: 2, timeout_code: \"91\", echo_interval: 1s }\n";
    settings.routes_extra =
        "  - name: iso-auth\n    match: { mti: \"0100\", processing_code: \"00\" }\n    processor: iso-sim\n"
        "    token_profile: cards\n    response: { \"2\": tokenize }\n"
        "  - name: iso-sale\n    match: { mti: \"0200\" }\n    processor: iso-sim\n    token_profile: cards\n"
        "    request: { \"2\": detokenize, \"35\": detokenize }\n    response: { \"2\": tokenize }\n"
        "  - name: iso-reversal\n    match: { mti: \"0400\" }\n    processor: iso-sim\n";
    std::string yaml = make_config(settings);
    yaml += "merchants:\n";
    yaml += "  - id: acme\n    certificates: [ { san_uri: \"spiffe://merchants/acme\" } ]\n";
    yaml += "  - id: globex\n    certificates: [ { san_uri: \"spiffe://merchants/globex\" } ]\n    routes: [ iso-auth ]\n";
    yaml += "token_profiles:\n  cards: { kind: vault }\n";
    yaml += "vault: { store: sqlite, path: vault.db }\n";
    yaml += "keys: { keyring: keys/keyring.yaml }\n";
    yaml += "audit: { dir: audit, fsync: batch }\n";
    yaml += "admin: { address: 127.0.0.1:0 }\n";
    return yaml;
  }

  static IsoClient client(const std::string& merchant = "acme") {
    return IsoClient(gateway_->port("acquirers"), client_options(merchant), *spec_);
  }
  static std::string metrics() {
    return run_command("curl -sS http://127.0.0.1:" + std::to_string(gateway_->port("admin")) + "/metrics").output;
  }
  static std::string audit_records() {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // fsync batch: let the writer reach the file
    return test::audit_records(dir_ / "audit");
  }

  static inline std::filesystem::path dir_;
  static inline Simulator* sim_ = nullptr;
  static inline GatewayProcess* gateway_ = nullptr;
  static inline std::shared_ptr<const iso::MessageSpec> spec_;
};

TEST_F(Iso8583Test, InterleavedRequestsOnOneConnectionEachGetTheirOwnAnswer) {
  auto c = client();
  const std::vector<std::string> pans = {"4111111111111111", "5555555555554444", "378282246310005", "6011111111111117"};
  constexpr int n = 40;
  for (int i = 0; i < n; ++i) c.send(request("0100", 1000 + i, pans[static_cast<std::size_t>(i) % pans.size()]));
  std::vector<int> order;
  for (int i = 0; i < n; ++i) {
    auto answer = c.receive();
    ASSERT_TRUE(answer) << "answer " << i << " missing";
    EXPECT_EQ(answer->mti, "0110");
    const int stan = std::stoi(std::string(answer->fields.get(11)));
    const std::string& pan = pans[static_cast<std::size_t>(stan - 1000) % pans.size()];
    EXPECT_EQ(answer->fields.get(39), "00") << stan;
    const std::string token(answer->fields.get(2));
    EXPECT_EQ(token.size(), pan.size());
    EXPECT_NE(token, pan);
    EXPECT_FALSE(card::luhn_valid(token)) << "a card number came back";
    EXPECT_EQ(token.substr(token.size() - 4), pan.substr(pan.size() - 4));
    order.push_back(stan);
  }
  EXPECT_EQ(std::set<int>(order.begin(), order.end()).size(), static_cast<std::size_t>(n));
  EXPECT_FALSE(std::is_sorted(order.begin(), order.end())) << "the simulator answers out of order on purpose";
}

TEST_F(Iso8583Test, ATokenInDe2AndTrack2IsDetokenizedOnTheWayToTheProcessor) {
  auto c = client();
  c.send(request("0100", 2001, "4111111111111111"));
  auto auth = c.receive();
  ASSERT_TRUE(auth);
  const std::string token(auth->fields.get(2));
  ASSERT_FALSE(card::luhn_valid(token));
  auto sale = request("0200", 2002, token);
  sale.fields.set(35, token + "=30121010000000000000");
  c.send(sale);
  auto answer = c.receive();
  ASSERT_TRUE(answer);
  // The simulator approves only a real (Luhn-valid) PAN: it got the card number.
  EXPECT_EQ(answer->fields.get(39), "00");
  EXPECT_EQ(answer->fields.get(2), token);
  // An unknown token never reaches the processor as such: 14.
  c.send(request("0200", 2003, "4111110000001111"));
  auto unknown = c.receive();
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->fields.get(39), "14");
}

TEST_F(Iso8583Test, SilenceSlownessWrongStansAndDroppedLinksGetTheTimeoutCode) {
  auto c = client();
  for (auto [stan, amount] : std::vector<std::pair<int, std::string>>{
           {3001, "000000000901"}, {3002, "000000000905"}, {3003, "000000000902"}, {3010, "000000000903"}}) {
    c.send(request("0100", stan, "4111111111111111", amount));
  }
  std::set<int> timed_out;
  for (int i = 0; i < 4; ++i) {
    auto answer = c.receive(std::chrono::seconds(5));
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->fields.get(39), "91");
    EXPECT_FALSE(answer->has(2));
    timed_out.insert(std::stoi(std::string(answer->fields.get(11))));
  }
  // (3003's answer comes back with STAN 3004, which nothing waits for: a late answer.)
  EXPECT_EQ(timed_out, (std::set<int>{3001, 3002, 3003, 3010}));
  // A dropped link: the request in flight is answered at once, the link reconnects.
  const auto before = std::chrono::steady_clock::now();
  c.send(request("0100", 3005, "4111111111111111", "000000000904"));
  auto dropped = c.receive();
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->fields.get(39), "91");
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(700));
  c.send(request("0100", 3006, "4111111111111111"));
  auto after = c.receive();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->fields.get(39), "00");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // the slow answer arrives late
  const std::string m = metrics();
  for (const char* expected : {"event=\"late_answer\"", "event=\"timeout\"", "event=\"link_drop\"", "event=\"bad_answer\""}) {
    auto at = m.find(std::string("paygate_iso8583_link_events_total{processor=\"iso-sim\",") + expected + "}");
    ASSERT_NE(at, std::string::npos) << expected << "\n" << m;
    EXPECT_NE(m.substr(at, m.find('\n', at) - at).back(), '0') << expected;
  }
}

TEST_F(Iso8583Test, InvalidMessagesGetTheirResponseMtiWithAFormatErrorCode) {
  auto c = client();
  auto missing = request("0100", 4001, "4111111111111111");
  missing.fields.erase(41);
  c.send(missing);
  auto answer = c.receive();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->mti, "0110");
  EXPECT_EQ(answer->fields.get(39), "30");
  // No route for this processing code.
  c.send(request("0100", 4002, "4111111111111111", "000000001000", "310000"));
  auto unrouted = c.receive();
  ASSERT_TRUE(unrouted);
  EXPECT_EQ(unrouted->fields.get(39), "12");
  // A duplicate of a request still in flight is answered 94 and not forwarded.
  c.send(request("0100", 4003, "4111111111111111", "000000000901"));
  c.send(request("0100", 4003, "4111111111111111", "000000000901"));
  auto first = c.receive();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->fields.get(39), "94");
  auto second = c.receive(std::chrono::seconds(3));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->fields.get(39), "91");
  // 0800 is answered by the gateway itself.
  iso::Message echo;
  echo.mti = "0800";
  echo.fields.set(7, "1130120000");
  echo.fields.set(11, "004004");
  echo.fields.set(70, "301");
  c.send(echo);
  auto echoed = c.receive();
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->mti, "0810");
  EXPECT_EQ(echoed->fields.get(39), "00");
}

TEST_F(Iso8583Test, BrokenFramesCloseTheConnectionAndOthersKeepWorking) {
  {
    auto c = client();  // a length header announcing more than max_frame (2048)
    ASSERT_TRUE(c.write_raw(std::string("\x20\x00", 2)));
    EXPECT_TRUE(c.closed_within(std::chrono::seconds(3)));
  }
  {
    auto c = client();  // a bitmap naming fields that are not there
    const std::string body = "0100F000000000000000";
    ASSERT_TRUE(c.write_raw(std::string(1, '\0') + static_cast<char>(body.size()) + body));
    EXPECT_TRUE(c.closed_within(std::chrono::seconds(3)));
  }
  {
    auto c = client();  // a numeric field with letters in it (DE 3)
    const std::string body = "0100200000000000000000AB00";
    ASSERT_TRUE(c.write_raw(std::string(1, '\0') + static_cast<char>(body.size()) + body));
    EXPECT_TRUE(c.closed_within(std::chrono::seconds(3)));
  }
  {
    auto c = client();  // a length prefix that lies: 500 announced, 10 sent, then silence
    ASSERT_TRUE(c.write_raw(std::string("\x01\xf4", 2) + "0100F00000"));
    EXPECT_TRUE(c.closed_within(std::chrono::seconds(5)));
  }
  auto c = client();
  c.send(request("0100", 5001, "4111111111111111"));
  auto answer = c.receive();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->fields.get(39), "00");
  EXPECT_NE(audit_records().find(R"("reason":"frame_too_large")"), std::string::npos);
}

// A peer that sends and never reads: its answers pile up behind a full TCP window, the
// write queue reaches its bound and the connection is closed; other connections carry on.
TEST_F(Iso8583Test, APeerThatNeverReadsIsCutOffAtTheWriteQueueBound) {
  ClientOptions options = client_options("acme");
  options.receive_buffer = 4096;
  IsoClient greedy(gateway_->port("acquirers"), options, *spec_);
  // With both socket buffers bounded (4 KiB here, 16 KiB send_buffer at the gateway) a
  // few hundred answers fill them; then 64 more fill the write queue. Send in batches
  // and stop once the gateway says it gave up (or its close makes a send fail). The cap
  // is far above what the buffers can hold, so reaching it means the bound never held.
  int sent = 0;
  const auto too_long = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  try {
    while (sent < 20000 && std::chrono::steady_clock::now() < too_long &&
           gateway_->log().find("reason=write_queue_full") == std::string::npos) {
      for (int i = 0; i < 50; ++i, ++sent) greedy.send(request("0100", 100000 + sent, "4111111111111111"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } catch (const std::exception&) {
  }
  for (int i = 0; i < 300 && gateway_->log().find("reason=write_queue_full") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bool closed = false;
  for (int i = 0; i <= sent && !closed; ++i) closed = !greedy.receive(std::chrono::seconds(5)).has_value();
  EXPECT_TRUE(closed) << sent << " sent";
  EXPECT_NE(gateway_->log().find("reason=write_queue_full"), std::string::npos);
  auto c = client();
  c.send(request("0100", 9001, "4111111111111111"));
  auto answer = c.receive();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->fields.get(39), "00");
}

TEST_F(Iso8583Test, CertificatesNameTheMerchantAndItsRoutes) {
  EXPECT_THROW(
      {
        IsoClient anonymous(gateway_->port("acquirers"), client_options(), *spec_);
        anonymous.send(request("0100", 6001, "4111111111111111"));
        if (!anonymous.receive(std::chrono::seconds(2))) throw std::runtime_error("no answer");
      },
      std::exception);
  auto globex = client("globex");
  auto reversal = request("0400", 6002, "4111111111111111");
  reversal.fields.set(90, "010000100011301200000000000000000000000000");
  globex.send(reversal);
  auto refused = globex.receive();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->mti, "0410");
  EXPECT_EQ(refused->fields.get(39), "58");
}

TEST_F(Iso8583Test, AReloadWithConnectionsOpenFailsNothing) {
  auto c = client();
  c.send(request("0100", 7001, "4111111111111111"));
  ASSERT_TRUE(c.receive());
  auto r = run_command("curl -sS -X POST http://127.0.0.1:" + std::to_string(gateway_->port("admin")) + "/admin/reload");
  ASSERT_NE(r.output.find("\"reloaded\":true"), std::string::npos) << r.output;
  for (int i = 0; i < 5; ++i) c.send(request("0100", 7002 + i, "4111111111111111"));
  for (int i = 0; i < 5; ++i) {
    auto answer = c.receive();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->fields.get(39), "00");
  }
}

// Interop: a message packed by the npm package iso_8583 (a peer nobody here wrote) goes
// through the gateway to the processor, and the npm package reads the answer.
TEST_F(Iso8583Test, MessagesPackedByTheNpmPackageGoThroughAndItReadsTheAnswers) {
  const std::string npm = "node " + (source_dir() / "tests/interop/iso8583_npm.js").string();
  const std::string message =
      R"({"0":"0100","2":"4111111111111111","3":"000000","4":"000000001000","7":"1129201500","11":"654321",)"
      R"("41":"TERM0001","42":"MERCHANT0000001","49":"978"})";
  std::ofstream(dir_ / "npm-in.json") << message;
  auto packed = run_command(npm + " pack < " + (dir_ / "npm-in.json").string());
  ASSERT_EQ(packed.exit_code, 0) << packed.output;
  std::string bytes;
  for (std::size_t i = 0; i + 1 < packed.output.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(packed.output.substr(i, 2), nullptr, 16)));
  }
  auto npm_spec = config::load_iso8583_spec(config::iso8583_spec_path("iso8583-npm"));
  ASSERT_TRUE(npm_spec.ok());
  IsoClient c(gateway_->port("npm-hosts"), client_options("acme"), *npm_spec.spec);
  ASSERT_TRUE(c.write_raw(bytes));
  auto answer = c.receive_bytes();
  ASSERT_TRUE(answer);
  std::string hex;
  char two[3];
  std::snprintf(two, sizeof two, "%02x", static_cast<unsigned>(answer->size() >> 8));
  hex += two;
  std::snprintf(two, sizeof two, "%02x", static_cast<unsigned>(answer->size() & 0xff));
  hex += two;
  for (auto b : *answer) {
    std::snprintf(two, sizeof two, "%02x", b);
    hex += two;
  }
  std::ofstream(dir_ / "npm-answer.hex") << hex;
  auto unpacked = run_command(npm + " unpack < " + (dir_ / "npm-answer.hex").string());
  ASSERT_EQ(unpacked.exit_code, 0) << unpacked.output;
  auto json = boost::json::parse(unpacked.output).as_object();
  EXPECT_EQ(json.at("0").as_string(), "0110");
  EXPECT_EQ(json.at("11").as_string(), "654321");
  EXPECT_EQ(json.at("39").as_string(), "00");
  const std::string token(json.at("2").as_string());
  EXPECT_FALSE(card::luhn_valid(token));
  EXPECT_EQ(token.substr(12), "1111");
}

TEST_F(Iso8583Test, ExchangesAreAuditedAndCountedAndNoLogHoldsACardNumber) {
  auto c = client();
  c.send(request("0100", 8001, "5555555555554444"));
  ASSERT_TRUE(c.receive());
  const std::string records = audit_records();
  EXPECT_NE(records.find(R"("type":"iso8583_exchange")"), std::string::npos);
  EXPECT_NE(records.find(R"("mti":"0100","stan":"008001","response_code":"00","processor":"iso-sim")"), std::string::npos)
      << records;
  EXPECT_NE(records.find(R"("masked_pan":"555555******4444")"), std::string::npos);
  EXPECT_TRUE(card::find_pans(records).empty());
  EXPECT_TRUE(card::find_pans(gateway_->log()).empty());
  EXPECT_TRUE(card::find_pans(read_file(dir_ / "sim.log")).empty());
  const std::string m = metrics();
  EXPECT_NE(m.find("paygate_iso8583_exchanges_total{mti=\"0100\",response_code=\"00\"}"), std::string::npos) << m;
  EXPECT_NE(m.find("paygate_iso8583_links_up{processor=\"iso-sim\"} 2"), std::string::npos) << m;
}

// Connection lifetime: max_age closes a long-lived connection (so that it reconnects to
// new TLS contexts), and SIGTERM lets the request in flight get its answer, then closes
// and exits 0.
TEST(Iso8583Lifecycle, MaxAgeAndDrain) {
  auto dir = make_temp_dir("iso8583-lifecycle");
  Simulator sim(dir);
  auto spec = config::load_iso8583_spec(config::iso8583_spec_path("iso8583-1987-ascii"));
  ASSERT_TRUE(spec.ok());
  const std::string certs = certs_dir().string();
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.listeners_extra =
      "  - name: acquirers\n    kind: iso8583\n    address: 127.0.0.1:0\n"
      "    tls: { certificate: " + certs + "/gateway.pem, private_key: " + certs + "/gateway.key }\n"
      "    limits: { idle_timeout: 30s }\n"
      "    iso8583: { spec: iso8583-1987-ascii, max_age: 1s }\n";
  settings.processors_extra =
      "  - name: iso-sim\n    url: tls://127.0.0.1:" + std::to_string(sim.iso_port()) + "\n"
      "    tls: { ca: " + certs + "/processor-ca.pem, server_name: processor.local }\n"
      "    timeouts: { connect: 1s, response: 800ms }\n"
      "    iso8583: { spec: iso8583-1987-ascii }\n";
  settings.routes_extra = "  - name: iso-auth\n    match: { mti: \"0100\" }\n    processor: iso-sim\n";
  GatewayProcess gateway(dir, make_config(settings) + "drain_timeout: 5s\n");
  {
    IsoClient aged(gateway.port("acquirers"), client_options(), *spec.spec);
    aged.send(request("0100", 1, "4111111111111111"));
    ASSERT_TRUE(aged.receive());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(aged.closed_within(std::chrono::seconds(3)));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  }
  IsoClient c(gateway.port("acquirers"), client_options(), *spec.spec);
  c.send(request("0100", 2, "4111111111111111", "000000000905"));  // answered after the 800 ms timeout
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ::kill(gateway.process().pid(), SIGTERM);
  auto answer = c.receive(std::chrono::seconds(3));
  ASSERT_TRUE(answer) << "the request in flight lost its answer";
  EXPECT_EQ(answer->fields.get(39), "91");
  EXPECT_TRUE(c.closed_within(std::chrono::seconds(3)));
  EXPECT_EQ(gateway.process().wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace paygate::test
