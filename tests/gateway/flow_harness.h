// Test support for the payment flow: a runtime, a snapshot built from a real
// configuration (without TLS contexts), and doubles for what the flow talks to — an
// upstream per processor that answers, stalls, resets or fails as the test says, and an
// audit sink that records or fails. Everything runs on one io_context in the test's
// thread; no sockets.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/loader.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/keyring.h"
#include "gateway/flow/iso_message.h"
#include "gateway/flow/json_message.h"
#include "gateway/worker.h"
#include "tests/support/process.h"

namespace paygate::gateway::test {

namespace iso = protocol::iso8583;

// An upstream that does what `respond` says, counting calls. `delay` first (a stall).
class FakeUpstream final : public Upstream {
 public:
  std::function<UpstreamAnswer(const UpstreamRequest&)> respond;
  std::chrono::milliseconds delay{0};
  int calls = 0;
  std::vector<UpstreamRequest> seen;

  boost::asio::awaitable<UpstreamAnswer> exchange(const UpstreamRequest& request) override {
    ++calls;
    seen.push_back(request);
    if (delay.count() > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    co_return respond(request);
  }
};

class FakeAuditSink final : public AuditSink {
 public:
  bool is_healthy = true;
  bool refuse = false;  // as a fail_closed log that cannot write
  std::vector<audit::AuditEvent> events;

  bool healthy() const override { return is_healthy; }
  boost::asio::awaitable<crypto::Status> record(audit::AuditEvent event) override {
    if (refuse) co_return crypto::Status(crypto::make_error(crypto::ErrorCode::unavailable, "refused"));
    events.push_back(std::move(event));
    co_return crypto::Status();
  }
  std::vector<const audit::AuditEvent*> of_type(std::string_view type) const {
    std::vector<const audit::AuditEvent*> out;
    for (const auto& e : events) {
      if (e.type == type) out.push_back(&e);
    }
    return out;
  }
};

inline std::string sha256_hex(std::string_view text) { return crypto::hex_encode(crypto::sha256(text)); }

// The configuration every flow test starts from: an HTTPS route and an ISO 8583 route of
// the same shape (FPE tokens, screening), each with a "leaky" twin whose response policy
// does not cover a card number the processor echoes, and merchants by certificate and
// API key. `merchants` replaces the merchants section (a reload that removes one).
inline std::string flow_config(const std::filesystem::path& dir, const std::string& merchants) {
  const std::string certs = PAYGATE_TEST_CERTS;
  const std::string tls = "{ certificate: " + certs + "/gateway.pem, private_key: " + certs + "/gateway.key }";
  const std::string processor_tls = "{ ca: " + certs + "/processor-ca.pem, server_name: processor.local }";
  (void)dir;
  return "listeners:\n"
         "  - { name: merchants, kind: https, address: 127.0.0.1:0, tls: " + tls + " }\n"
         "  - name: acquirers\n    kind: iso8583\n    address: 127.0.0.1:0\n    tls: " + tls + "\n"
         "    iso8583: { spec: iso8583-1987-ascii, framing: binary2 }\n"
         "processors:\n"
         "  - { name: sim, url: \"https://127.0.0.1:9\", tls: " + processor_tls +
         ", breaker: { failures: 3, open_for: 60s } }\n"
         "  - name: iso-sim\n    url: tls://127.0.0.1:9\n    tls: " + processor_tls + "\n"
         "    breaker: { failures: 3, open_for: 60s }\n"
         "    iso8583: { spec: iso8583-1987-ascii, framing: binary2, timeout_code: \"91\" }\n"
         "routes:\n"
         "  - name: payments\n    match: { method: POST, path: /v1/payments }\n    processor: sim\n"
         "    message: authorization\n    token_profile: cards\n    fraud_profile: standard\n"
         "    merchant_header: X-Merchant-Id\n"
         "    request: { \"$.card.number\": issue_token }\n    response: { \"$.card.number\": tokenize }\n"
         "  - name: leaky\n    match: { method: POST, path: /v1/leaky }\n    processor: sim\n"
         "    message: authorization\n    token_profile: cards\n"
         "  - name: iso-auth\n    match: { mti: \"0100\" }\n    processor: iso-sim\n    token_profile: cards\n"
         "    fraud_profile: standard\n    response: { \"2\": tokenize }\n"
         "  - name: iso-leaky\n    match: { mti: \"0200\" }\n    processor: iso-sim\n    token_profile: cards\n"
         "  - name: iso-detokenize\n    match: { mti: \"0220\" }\n    processor: iso-sim\n    token_profile: cards\n"
         "    request: { \"2\": detokenize }\n"
         "  - name: detokenize\n    match: { method: POST, path: /v1/detokenize }\n    processor: sim\n"
         "    token_profile: cards\n    request: { \"$.card.token\": detokenize }\n" +
         merchants +
         "token_profiles:\n  cards: { kind: fpe }\n"
         "keys: { keyring: keys/keyring.yaml }\n"
         "fraud:\n  profiles:\n    standard:\n      block_code: \"59\"\n      rules:\n"
         "        - { name: huge, when: { amount: { at_least: 900000 } }, outcome: block }\n";
}

inline const std::string acme_and_globex =
    "merchants:\n"
    "  - { id: acme, certificates: [ { san_uri: \"spiffe://merchants/acme\" } ], api_key_sha256: [ " +
    sha256_hex("acme-key") + " ] }\n"
    "  - { id: globex, certificates: [ { san_uri: \"spiffe://merchants/globex\" } ], routes: [ leaky, iso-leaky ] }\n";
inline const std::string globex_only =
    "merchants:\n"
    "  - { id: globex, certificates: [ { san_uri: \"spiffe://merchants/globex\" } ], routes: [ leaky, iso-leaky ] }\n";

inline void write_keyring(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "keys");
  auto key = [&](const std::string& name, crypto::KeyAlgorithm algorithm) {
    const auto file = dir / "keys" / (name + ".key");
    std::ofstream(file) << crypto::generate_key_hex(algorithm) << "\n";
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  };
  key("fpe-1", crypto::default_algorithm(crypto::KeyUse::fpe));
  key("fp-1", crypto::default_algorithm(crypto::KeyUse::fingerprint));
  std::ofstream(dir / "keys" / "keyring.yaml")
      << "allow_plaintext_keys: true\n"
         "keys:\n"
         "  - { id: fpe-1, use: fpe, state: primary, fpe_slot: 1, file: fpe-1.key }\n"
         "  - { id: fp-1, use: fingerprint, state: primary, file: fp-1.key }\n";
}

// One HTTPS and one ISO 8583 processor double; answers approve and echo the card field.
struct Harness {
  std::filesystem::path dir = paygate::test::make_temp_dir("flow");
  boost::asio::io_context io;
  Runtime runtime{{"merchants", "acquirers"}};
  FakeAuditSink* audit = nullptr;
  std::vector<std::unique_ptr<ListenerContext>> listeners;
  std::shared_ptr<const Snapshot> snapshot;
  std::shared_ptr<ThreadSnapshot> view;
  FakeUpstream* https = nullptr;
  FakeUpstream* iso8583 = nullptr;
  PaymentFlow flow{runtime};
  RequestIdGenerator ids{0};
  std::uint64_t generation = 0;

  explicit Harness(const std::string& merchants = acme_and_globex, std::size_t blocking_threads = 2,
                   std::size_t blocking_queue = 64) {
    write_keyring(dir);
    auto sink = std::make_unique<FakeAuditSink>();
    audit = sink.get();
    runtime.audit = std::move(sink);
    runtime.blocking = std::make_unique<BlockingPool>(blocking_threads, blocking_queue);
    runtime.screener = std::make_unique<fraud::MemoryScreener>(10'000);
    for (std::size_t i = 0; i < 2; ++i) {
      auto l = std::make_unique<ListenerContext>();
      l->name = i == 0 ? "merchants" : "acquirers";
      l->index = i;
      l->kind = i == 0 ? config::ListenerKind::https : config::ListenerKind::iso8583;
      listeners.push_back(std::move(l));
    }
    load(merchants);
  }
  ~Harness() {
    view.reset();
    runtime.blocking.reset();  // queued work finishes before the snapshot goes
    std::filesystem::remove_all(dir);
  }

  // (Re)loads the configuration with `merchants`, as a reload does: a new snapshot and
  // view; the upstream doubles carry over their behaviour.
  void load(const std::string& merchants) {
    const auto file = dir / "paygate.yaml";
    std::ofstream(file) << flow_config(dir, merchants);
    auto loaded = config::load(file);
    if (!loaded.ok()) throw std::runtime_error(loaded.errors.front().to_string());
    auto next = build_data_plane(loaded.config, ++generation, runtime.metrics, snapshot.get());
    auto fresh = std::make_shared<ThreadSnapshot>();
    fresh->shared = next;
    auto https_upstream = std::make_unique<FakeUpstream>();
    auto iso_upstream = std::make_unique<FakeUpstream>();
    if (https) {
      https_upstream->respond = https->respond;
      iso_upstream->respond = iso8583->respond;
    } else {
      https_upstream->respond = [](const UpstreamRequest&) { return approve_json(false); };
      iso_upstream->respond = [](const UpstreamRequest& r) { return approve_iso(r, "00"); };
    }
    https = https_upstream.get();
    iso8583 = iso_upstream.get();
    fresh->clients.push_back(std::make_unique<ProcessorClient>(next->processors[0], std::move(https_upstream),
                                                               runtime.metrics, *next->processor_metrics[0]));
    fresh->clients.push_back(std::make_unique<ProcessorClient>(next->processors[1], std::move(iso_upstream),
                                                               runtime.metrics, *next->processor_metrics[1]));
    snapshot = next;
    view = fresh;
  }

  // The processor's approval; `echo_pan` puts the card number it saw back in the answer.
  static UpstreamAnswer approve_json(bool echo_pan, unsigned status = 200, const std::string& pan = "") {
    HttpAnswerIn in;
    in.status = status;
    in.content_type = "application/json";
    in.body = status >= 500 ? R"({"status":"error","response_code":"96"})"
                            : std::string(R"({"status":"approved","response_code":"00")") +
                                  (echo_pan ? R"(,"card":{"number":")" + pan + R"("})" : "") + "}";
    return UpstreamAnswer{UpstreamFault::none, std::move(in)};
  }
  static UpstreamAnswer approve_iso(const UpstreamRequest& request, const std::string& code) {
    iso::Message answer = std::get<iso::Message>(request.message);  // echoes every field, DE 2 included
    answer.mti = "0110";
    answer.fields.set(39, code);
    return UpstreamAnswer{UpstreamFault::none, std::move(answer)};
  }
  static UpstreamAnswer fault(UpstreamFault f) { return UpstreamAnswer{f, {}}; }

  Exchange exchange(std::shared_ptr<Message> message, std::size_t listener, const net::PeerCertificate* certificate,
                    std::string_view api_key = {}) {
    Exchange x;
    x.view = view;
    x.listener = listeners[listener].get();
    x.credentials.certificate = certificate;
    x.credentials.api_key = api_key;
    x.credentials.client_ip = "192.0.2.10";
    x.start = std::chrono::steady_clock::now();
    x.request_id = ids.next();
    x.message = std::move(message);
    return x;
  }

  // Runs the flow and the record to their end on this thread; `wire` is what the session
  // would answer for the flow's decision.
  void run(Exchange& x, const std::function<WireAnswer(const Exchange&)>& wire) {
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          co_await flow.run(x);
          co_await flow.record(x, wire(x));
        },
        boost::asio::detached);
    io.restart();
    io.run();
  }
};

inline net::PeerCertificate certificate_of(const std::string& merchant) {
  net::PeerCertificate c;
  c.san_uris.push_back("spiffe://merchants/" + merchant);
  c.subject_cn = merchant;
  return c;
}

inline std::string authorization(const std::string& pan, long amount = 1299) {
  return R"({"merchant_reference":"order-1","amount":{"value":)" + std::to_string(amount) +
         R"(,"currency":"EUR"},"card":{"number":")" + pan + R"(","expiry_month":12,"expiry_year":2030,"cvv":"737"}})";
}

}  // namespace paygate::gateway::test
