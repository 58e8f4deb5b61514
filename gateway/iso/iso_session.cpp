// One ISO 8583 merchant (or acquirer host) connection over TLS: frames are read as they
// come, each request is handled concurrently (routing, field policies on the blocking
// pool, the multiplexed processor links), and answers are written back as they complete,
// in any order, through one bounded write queue. The connection's certificate names the
// merchant. A malformed frame closes the connection (with an audit record); an invalid
// message gets its response MTI with a format-error code.
#include <chrono>
#include <deque>
#include <unordered_set>

#include "audit/audit_log.h"
#include "card/luhn.h"
#include "gateway/blocking_work.h"
#include "gateway/fraud_stage.h"
#include "gateway/iso/iso_policy.h"
#include "gateway/iso/processor_links.h"
#include "gateway/log.h"
#include "net/iso_frames.h"
#include "gateway/request_actions.h"
#include "gateway/tls_handshake.h"
#include "gateway/worker.h"
#include "protocol/iso8583/codec.h"

namespace paygate::gateway {
namespace {

using namespace net;
namespace iso = protocol::iso8583;
using Clock = std::chrono::steady_clock;

// The fields a generated answer repeats from its request (never a card number).
constexpr int echoed_fields[] = {3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49, 70, 90};
// The merchant-side key of a request in flight: a second request with the same key while
// the first is open is a duplicate transmission.
const std::vector<int> duplicate_key_fields{11, 41, 42};

std::string response_mti(std::string_view mti) {
  std::string out(mti);
  if (out.size() == 4 && out[2] >= '0' && out[2] <= '8' && (out[2] - '0') % 2 == 0) out[2] = static_cast<char>(out[2] + 1);
  return out;
}

iso::Message generated_answer(const iso::Message& request, std::string_view code) {
  iso::Message answer;
  answer.mti = response_mti(request.mti);
  for (int f : echoed_fields) {
    if (request.has(f)) answer.fields.set(f, request.fields.get(f));
  }
  answer.fields.set(39, code);
  return answer;
}

bool token_error(const std::string& code) {
  return code.find("token") != std::string::npos || code == "not_found" || code == "expired";
}

class IsoSession : public std::enable_shared_from_this<IsoSession> {
 public:
  IsoSession(Worker& worker, ListenerContext& listener, tcp::socket socket)
      : worker_(worker),
        listener_(listener),
        tls_(worker.current->shared->listener_tls[listener.index]),
        limits_(worker.current->shared->config->listeners[listener.index].limits),
        iso_(*worker.current->shared->config->listeners[listener.index].iso),
        stream_(std::move(socket), *tls_),
        slot_freed_(worker.io),
        opened_(Clock::now()) {}

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    ConnectionPeer peer;
    if (!co_await server_handshake(worker_, listener_, stream_, limits_.header_timeout, peer)) co_return;
    peer_ = std::move(peer.certificate);
    client_ip_ = std::move(peer.ip);
    {
      auto view = worker_.current;
      if (view->shared->merchants.enabled() && !merchant_of(*view->shared)) {
        worker_.runtime.metrics.authentication_failure();
        co_await audit_event("authentication_failure", peer_ ? "unknown_certificate" : "no_credentials");
        log::warn("iso8583 connection refused listener={} reason={}", listener_.name,
                  peer_ ? "unknown_certificate" : "no_credentials");
        co_await close();
        co_return;
      }
    }
    co_await read_requests();
    // Let the requests in flight finish (their answers still go out), then close.
    const auto deadline = Clock::now() + limits_.write_timeout;
    while (in_flight_ > 0 && Clock::now() < deadline && open_) {
      slot_freed_.expires_after(std::chrono::milliseconds(50));
      co_await slot_freed_.async_wait(use_tuple);
    }
    co_await close();
  }

 private:
  asio::awaitable<void> read_requests() {
    bool first = true;
    while (open_) {
      if (worker_.runtime.draining.load(std::memory_order_relaxed)) break;
      if (Clock::now() - opened_ >= iso_.max_age) {
        log::info("iso8583 connection reached max_age listener={}", listener_.name);
        break;
      }
      if (in_flight_ >= iso_.max_in_flight) {  // back-pressure: read on when one finishes
        slot_freed_.expires_after(std::chrono::seconds(1));
        co_await slot_freed_.async_wait(use_tuple);
        continue;
      }
      std::function<void()> cancel = [this] { stream_.next_layer().cancel(); };
      worker_.idle_waits.insert(&cancel);
      // An idle wait never outlasts the connection's max_age.
      const auto age_left = std::chrono::duration_cast<std::chrono::milliseconds>(iso_.max_age - (Clock::now() - opened_));
      const auto idle = std::min<std::chrono::milliseconds>(first ? limits_.header_timeout : limits_.idle_timeout, age_left);
      auto frame = co_await read_frame(stream_, iso_.framing, iso_.max_frame, idle, limits_.header_timeout);
      worker_.idle_waits.erase(&cancel);
      first = false;
      if (frame.status == FrameStatus::too_large || frame.status == FrameStatus::bad_header) {
        const char* reason = frame.status == FrameStatus::too_large ? "frame_too_large" : "bad_frame_header";
        log::warn("iso8583 connection closed listener={} reason={}", listener_.name, reason);
        co_await audit_event("iso8583_connection_closed", reason);
        break;
      }
      if (frame.status != FrameStatus::ok) break;  // closed, idle or too slow
      auto view = worker_.current;
      auto request = iso::unpack(*iso_.spec, frame.body);
      if (!request.ok()) {
        // Field boundaries are lost: nothing can be answered reliably on this connection.
        log::warn("iso8583 malformed message listener={} error={}", listener_.name, request.error->to_string());
        co_await audit_event("iso8583_connection_closed", "malformed_message");
        break;
      }
      ++in_flight_;
      asio::co_spawn(worker_.io, handle(shared_from_this(), std::move(view), std::move(request.value)), asio::detached);
    }
  }

  asio::awaitable<void> handle(std::shared_ptr<IsoSession> /*keep_alive*/, std::shared_ptr<ThreadSnapshot> view,
                               iso::Message request) {
    Exchange x;
    x.start = Clock::now();
    x.request_id = worker_.ids.next();
    x.mti = request.mti;
    x.stan = std::string(request.fields.get(11));
    const std::string key = match_key(request, duplicate_key_fields);
    iso::Message answer;
    if (in_flight_keys_.contains(key)) {
      x.upstream = "duplicate";
      answer = generated_answer(request, iso_.duplicate_code);
    } else {
      in_flight_keys_.insert(key);
      answer = co_await process(*view, request, x);
      in_flight_keys_.erase(key);
    }
    x.response_code = std::string(answer.fields.get(39));
    auto packed = iso::pack(*iso_.spec, answer);
    if (!packed.ok()) {
      log::warn("iso8583 answer cannot be encoded request_id={} error={}", x.request_id.view(), packed.error->to_string());
      answer = generated_answer(request, "96");
      x.response_code = "96";
      packed = iso::pack(*iso_.spec, answer);
    }
    if (packed.ok()) enqueue(framed(iso_.framing, packed.value));
    co_await finish(*view, x);
    --in_flight_;
    slot_freed_.cancel();
  }

  struct Exchange {
    Clock::time_point start;
    RequestId request_id;
    std::string mti, stan, response_code, route = "-", processor = "-", upstream = "-";
    std::string merchant = "-";
    std::shared_ptr<RequestActions> actions;
    std::optional<fraud::Decision> fraud;
    const fraud::Profile* fraud_profile = nullptr;
  };

  asio::awaitable<iso::Message> process(const ThreadSnapshot& view, const iso::Message& request, Exchange& x) {
    const Snapshot& snapshot = *view.shared;
    if (request.mti == "0800") {  // network management is hop by hop: answered here
      iso::Message echo = generated_answer(request, "00");
      co_return echo;
    }
    if (!iso::missing_required(*iso_.spec, request).empty()) co_return generated_answer(request, iso_.format_error_code);
    const config::Route* route = find_route(snapshot, request);
    if (!route) co_return generated_answer(request, "12");  // invalid transaction
    x.route = route->name;
    const config::Merchant* merchant = merchant_of(snapshot);
    x.merchant = merchant ? merchant->id : "anonymous";
    if (merchant && !merchant->may_use(route->name)) {
      co_await audit_event("authorization_refusal", "route_not_allowed", x.route, x.merchant);
      co_return generated_answer(request, "58");  // not permitted to terminal
    }
    const std::size_t processor_index = snapshot.route_processor[snapshot.route_index(*route)];
    const ProcessorContext& processor = snapshot.processors[processor_index];
    x.processor = processor.config->name;
    ProcessorLinks* links = view.iso_links[processor_index].get();
    const std::string& timeout_code = processor.config->iso->timeout_code;

    auto actions = std::make_shared<RequestActions>(snapshot.services, *route, *processor.config, x.merchant);
    x.actions = actions;
    auto outgoing = std::make_shared<iso::Message>(request);
    auto keep = view.shared;
    // Named first: g++ 12 destroys temporaries of a co_await expression twice.
    // Fraud screening in the same blocking step, after the request policies (a shared
    // state in Redis is a network round trip).
    const fraud::Profile* profile = snapshot.fraud_profile(*route);
    fraud::Screener* screener = profile ? worker_.runtime.screener.get() : nullptr;
    // Allocated only when this route screens.
    auto observation = screener ? std::make_shared<fraud::Observation>() : nullptr;
    auto decision = screener ? std::make_shared<std::optional<fraud::Decision>>() : nullptr;
    std::uint64_t amount = 0;
    for (char c : request.fields.get(4)) amount = amount * 10 + static_cast<std::uint64_t>(c - '0');
    auto request_step = [route, outgoing, actions, keep, screener, profile, observation, decision, amount,
                         merchant = x.merchant, ip = client_ip_] {
      auto errors = apply_iso_policy(route->iso_request_policy, *outgoing, *actions);
      if (errors.empty() && screener) {
        // A PAN that passes through untouched is still fingerprinted for screening.
        if (actions->card_key().empty()) {
          const std::string pan(outgoing->fields.get(2));
          if (pan.size() >= 12 && card::luhn_valid(pan)) actions->note_card(pan);
        }
        *observation = observe(*keep, *actions, merchant, ip, amount, "");
        *decision = screener->screen(*profile, *observation, fraud_now());
      }
      return errors;
    };
    auto request_errors =
        co_await run_blocking<std::vector<IsoPolicyError>>(*worker_.runtime.blocking, std::move(request_step));
    if (!request_errors) co_return generated_answer(request, "96");  // blocking pool full
    if (!request_errors->empty()) {
      x.upstream = "refused";
      co_return generated_answer(request, token_error(request_errors->front().code) ? "14" : iso_.format_error_code);
    }
    if (decision && *decision) {
      x.fraud = std::move(**decision);
      x.fraud_profile = profile;
      snapshot.count_fraud(*profile, *x.fraud);
      if (x.fraud->outcome == fraud::Outcome::block) {
        x.upstream = "fraud_block";
        co_return generated_answer(request, profile->block_code);
      }
    }
    if (!processor.breaker->allow()) {
      x.upstream = "breaker_open";
      co_return generated_answer(request, timeout_code);
    }
    auto result = co_await links->exchange(*outgoing);
    if (result.fault != LinkFault::none) {
      x.upstream = std::string(to_string(result.fault));
      if (result.fault == LinkFault::duplicate) {
        processor.breaker->record_nothing();
        co_return generated_answer(request, iso_.duplicate_code);
      }
      processor.breaker->record_failure();
      co_return generated_answer(request, timeout_code);
    }
    processor.breaker->record_success();
    x.upstream = "ok";
    if (x.fraud_profile) {  // feedback off the network thread, not waited for
      const std::string code(result.answer.fields.get(39));
      auto feedback = feedback_from(snapshot.config->fraud, code == "00", code);
      (void)worker_.runtime.blocking->try_submit([screener, observation, feedback, keep] {
        screener->feedback(*observation, feedback, fraud_now());
      });
    }
    auto incoming = std::make_shared<iso::Message>(std::move(result.answer));
    auto answer_step = [route, incoming, actions, keep] {
      return apply_iso_policy(route->iso_response_policy, *incoming, *actions);
    };
    auto answer_errors =
        co_await run_blocking<std::vector<IsoPolicyError>>(*worker_.runtime.blocking, std::move(answer_step));
    if (!answer_errors) co_return generated_answer(request, "96");
    if (!answer_errors->empty()) {
      log::warn("iso8583 answer policy failed request_id={} field={} code={}", x.request_id.view(),
                answer_errors->front().field, answer_errors->front().code);
      co_return generated_answer(request, "96");
    }
    for (int field : strip_card_numbers(*incoming)) {
      log::warn("iso8583 card number removed from answer request_id={} route={} field={}", x.request_id.view(),
                route->name, field);
    }
    co_return std::move(*incoming);
  }

  const config::Route* find_route(const Snapshot& snapshot, const iso::Message& request) const {
    const std::string_view processing_code = request.fields.get(3);
    for (const auto& route : snapshot.config->routes) {
      if (route.match.mti != request.mti) continue;
      if (!route.match.processing_code.empty() && processing_code.substr(0, route.match.processing_code.size()) !=
                                                       route.match.processing_code) {
        continue;
      }
      return &route;
    }
    return nullptr;
  }

  const config::Merchant* merchant_of(const Snapshot& snapshot) {
    if (!peer_) return nullptr;
    if (certificate_generation_ != snapshot.generation) {
      certificate_merchant_ = snapshot.merchants.by_certificate(*peer_);
      certificate_generation_ = snapshot.generation;
    }
    return certificate_merchant_;
  }

  // Answers leave in completion order through one writer. A peer that stops reading
  // fills the queue; past max_write_queue the connection is closed (it will get no more).
  void enqueue(std::vector<std::uint8_t> bytes) {
    if (!open_ || bytes.empty()) return;
    if (out_.size() >= iso_.max_write_queue) {
      log::warn("iso8583 connection closed listener={} reason=write_queue_full", listener_.name);
      abort_connection();
      return;
    }
    out_.push_back(std::move(bytes));
    if (!writing_) asio::co_spawn(worker_.io, write_all(shared_from_this()), asio::detached);
  }

  asio::awaitable<void> write_all(std::shared_ptr<IsoSession> /*keep_alive*/) {
    writing_ = true;
    while (!out_.empty() && open_) {
      // Everything queued goes out in one gathered write (one TLS record run, one syscall).
      std::vector<std::vector<std::uint8_t>> batch(std::make_move_iterator(out_.begin()),
                                                   std::make_move_iterator(out_.end()));
      out_.clear();
      std::vector<asio::const_buffer> buffers;
      buffers.reserve(batch.size());
      for (const auto& b : batch) buffers.push_back(asio::buffer(b));
      stream_.next_layer().expires_after(limits_.write_timeout);
      auto [ec, n] = co_await asio::async_write(stream_, buffers, use_tuple);
      if (ec) abort_connection();
    }
    writing_ = false;
  }

  void abort_connection() {
    open_ = false;
    out_.clear();
    beast::error_code ignored;
    stream_.next_layer().socket().close(ignored);
  }

  asio::awaitable<void> close() {
    if (!open_) co_return;
    // Answers still queued go out first.
    const auto deadline = Clock::now() + limits_.write_timeout;
    while (writing_ && Clock::now() < deadline) {
      asio::steady_timer pause(worker_.io, std::chrono::milliseconds(10));
      co_await pause.async_wait(use_tuple);
    }
    open_ = false;
    stream_.next_layer().expires_after(std::chrono::seconds(1));
    co_await stream_.async_shutdown(use_tuple);
    beast::error_code ignored;
    stream_.next_layer().socket().close(ignored);
  }

  asio::awaitable<void> audit_event(const char* type, const char* reason, std::string_view route = "-",
                                    std::string_view merchant = "-") {
    audit::AuditLog* log = worker_.runtime.audit;
    if (!log) co_return;
    audit::AuditEvent event(type);
    event.with("reason", reason)
        .with("listener", listener_.name)
        .with("route", std::string(route))
        .with("merchant", std::string(merchant))
        .with("client_certificate", peer_.has_value());
    auto status = co_await record_audit(*log, std::move(event));
    if (!status.ok()) log::error("audit record refused event={} reason={}", type, status.error().reason);
  }

  asio::awaitable<void> finish(const ThreadSnapshot& view, const Exchange& x) {
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - x.start);
    worker_.runtime.metrics.iso_exchange(x.mti, x.response_code, latency);
    const Snapshot& snapshot = *view.shared;
    if (x.actions) {
      const auto& counts = x.actions->counts();
      for (std::size_t a = 0; a < counts.size(); ++a) {
        if (counts[a] > 0) worker_.runtime.metrics.action(a, counts[a]);
      }
      for (const auto& id : x.actions->key_ids()) {
        if (auto it = snapshot.key_use.find(id); it != snapshot.key_use.end()) it->second->fetch_add(1, std::memory_order_relaxed);
      }
    }
    log::info("iso8583 exchange request_id={} listener={} merchant={} route={} mti={} stan={} code={} processor={} "
              "upstream={} latency_us={}",
              x.request_id.view(), listener_.name, x.merchant, x.route, x.mti, x.stan, x.response_code, x.processor,
              x.upstream, latency.count());
    audit::AuditLog* log = worker_.runtime.audit;
    if (!log) co_return;
    audit::AuditEvent event("iso8583_exchange");
    boost::json::array key_ids;
    if (x.actions) {
      for (const auto& k : x.actions->key_ids()) key_ids.emplace_back(k);
    }
    event.with("request_id", std::string(x.request_id.view()))
        .with("listener", listener_.name)
        .with("merchant", x.merchant)
        .with("route", x.route)
        .with("mti", x.mti)
        .with("stan", x.stan)
        .with("response_code", x.response_code)
        .with("processor", x.processor)
        .with("upstream", x.upstream)
        .with("latency_us", static_cast<std::int64_t>(latency.count()))
        .with("key_ids", std::move(key_ids))
        .with("token", x.actions ? x.actions->token() : "")
        .with("masked_pan", x.actions ? x.actions->masked_pan() : "");
    if (x.fraud && x.fraud_profile) event.with("fraud", fraud_record(*x.fraud_profile, *x.fraud));
    auto status = co_await record_audit(*log, std::move(event));
    if (!status.ok()) log::error("audit record refused request_id={} reason={}", x.request_id.view(), status.error().reason);
  }

  Worker& worker_;
  ListenerContext& listener_;
  std::shared_ptr<ssl::context> tls_;
  const config::ListenerLimits limits_;
  const config::IsoListener iso_;
  ServerTlsStream stream_;
  asio::steady_timer slot_freed_;
  Clock::time_point opened_;
  bool open_ = true;
  std::uint32_t in_flight_ = 0;
  std::unordered_set<std::string> in_flight_keys_;
  std::deque<std::vector<std::uint8_t>> out_;
  bool writing_ = false;
  std::optional<net::PeerCertificate> peer_;
  std::string client_ip_;
  const config::Merchant* certificate_merchant_ = nullptr;
  std::uint64_t certificate_generation_ = 0;
};

}  // namespace

asio::awaitable<void> serve_iso8583(Worker& worker, ListenerContext& listener, tcp::socket socket) {
  auto session = std::make_shared<IsoSession>(worker, listener, std::move(socket));
  co_await session->run();
}

}  // namespace paygate::gateway
