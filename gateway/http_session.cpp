// One HTTPS/1.1 merchant connection: TLS handshake, then keep-alive requests, each read
// under its own deadlines, routed, forwarded to the processor and answered.
#include <boost/beast/core/string.hpp>

#include <chrono>
#include <optional>

#include "audit/audit_log.h"
#include "gateway/blocking_work.h"
#include "gateway/fraud_stage.h"
#include "gateway/log.h"
#include "gateway/payment_pipeline.h"
#include "gateway/problem.h"
#include "gateway/tls_handshake.h"
#include "gateway/worker.h"
#include "protocol/http/header_block.h"

namespace paygate::gateway {
namespace {

using namespace net;
using Clock = std::chrono::steady_clock;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// The headers a merchant may pass through to the processor. Everything else (cookies,
// authorization, hop-by-hop headers, anything unknown) stays at the gateway.
constexpr http::field forwarded_fields[] = {http::field::content_type, http::field::accept};
constexpr std::string_view idempotency_key = "Idempotency-Key";
constexpr std::string_view api_key_header = "X-Api-Key";

const Problem& problem_for(UpstreamFault fault) {
  switch (fault) {
    case UpstreamFault::busy: return problems::processor_busy;
    case UpstreamFault::breaker_open: return problems::processor_unavailable;
    case UpstreamFault::queue_timeout:
    case UpstreamFault::connect_timeout:
    case UpstreamFault::timeout: return problems::processor_timeout;
    case UpstreamFault::connect_failed: return problems::processor_unreachable;
    default: return problems::processor_failed;
  }
}

// Transfer-Encoding, when present, must be exactly one `chunked`: any other coding (or
// chunked not last, or the header twice) leaves the body's length to interpretation, and
// a proxy behind or in front of us might read it differently (RFC 9112 §6.1).
bool transfer_coding_is_plain_chunked(const http::request<http::string_body>& req) {
  auto [first, last] = req.equal_range(http::field::transfer_encoding);
  if (first == last) return true;
  if (std::next(first) != last) return false;
  std::string_view value(first->value().data(), first->value().size());
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return beast::iequals(value, "chunked");
}

// The processor's verdict on a screened payment, back to the screening state.
void give_feedback(fraud::Screener* screener, const Snapshot& snapshot, const fraud::Observation* observation,
                   const PipelineAnswer& answer) {
  if (!screener || !observation) return;
  screener->feedback(*observation,
                     feedback_from(snapshot.config->fraud, answer.processor_status == "approved", answer.processor_code),
                     fraud_now());
}

class HttpSession {
 public:
  // The TLS context and limits are those of the snapshot current at accept: a reload
  // changes them for new connections. Each request then takes the thread's current
  // snapshot for everything else (routes, merchants, keys, processors).
  HttpSession(Worker& worker, ListenerContext& listener, tcp::socket socket)
      : worker_(worker),
        listener_(listener),
        tls_(worker.current->shared->listener_tls[listener.index]),
        limits_(worker.current->shared->config->listeners[listener.index].limits),
        stream_(std::move(socket), *tls_) {}

  asio::awaitable<void> run() {
    auto& tcp_layer = stream_.next_layer();
    // The certificate is the connection's; an API key may still identify each request.
    ConnectionPeer peer;
    if (!co_await server_handshake(worker_, listener_, stream_, limits_.header_timeout, peer)) co_return;
    peer_ = std::move(peer.certificate);
    client_ip_ = std::move(peer.ip);
    bool first = true;
    for (;;) {
      if (buffer_.size() == 0) {
        if (worker_.runtime.draining.load(std::memory_order_relaxed)) break;
        // Wait for the next request: the header deadline for the first one, the idle
        // deadline between keep-alive requests. A drain cancels the wait.
        tcp_layer.expires_after(first ? limits_.header_timeout : limits_.idle_timeout);
        std::function<void()> cancel = [&tcp_layer] { tcp_layer.cancel(); };
        worker_.idle_waits.insert(&cancel);
        // Idle, the connection holds no buffer: wait until there is something to read.
        buffer_.shrink_to_fit();
        auto [ec] = co_await stream_.async_wait_readable(use_tuple);
        worker_.idle_waits.erase(&cancel);
        if (ec) break;
        auto [rec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), use_tuple);
        if (rec) break;
        buffer_.commit(n);
      }
      first = false;
      const bool keep_open = co_await serve_one();
      end_request();
      if (!keep_open) break;
    }
    co_await close();
  }

 private:
  // Reads, handles and answers one request. Returns whether the connection stays open.
  asio::awaitable<bool> serve_one() {
    auto& tcp_layer = stream_.next_layer();
    start_ = Clock::now();
    request_id_ = worker_.ids.next();
    route_name_ = "-";
    method_ = "-";
    upstream_ = "-";
    merchant_ = "-";
    route_ = nullptr;
    pipeline_.reset();
    bytes_in_ = 0;
    fraud_decision_.reset();
    fraud_profile_ = nullptr;
    view_ = worker_.current;  // this request's snapshot, held until it is answered
    const Snapshot& snapshot = *view_->shared;

    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_header));
    parser.body_limit(limits_.max_body);
    tcp_layer.expires_after(limits_.header_timeout);
    // Framing Beast would let through (obs-fold) or wait on (bare LF) is refused on the raw
    // bytes first; the same header deadline covers this read and Beast's.
    for (;;) {
      const auto data = buffer_.cdata();
      const auto scan = protocol::http::scan_header_block(
          std::string_view(static_cast<const char*>(data.data()), std::min<std::size_t>(data.size(), limits_.max_header + 4)));
      using protocol::http::HeaderBlockState;
      if (scan.state == HeaderBlockState::obs_fold || scan.state == HeaderBlockState::bad_line_end) {
        co_return co_await answer_problem(problems::malformed_request, false);
      }
      if (scan.state == HeaderBlockState::complete || buffer_.size() > limits_.max_header) break;
      auto [rec, rn] = co_await stream_.async_read_some(buffer_.prepare(4096), use_tuple);
      if (rec) co_return false;  // slow, vanished or broken client: nothing to answer
      buffer_.commit(rn);
    }
    auto [hec, hn] = co_await http::async_read_header(stream_, buffer_, parser, use_tuple);
    if (hec) {
      if (hec == http::error::header_limit) co_return co_await answer_problem(problems::header_too_large, false);
      if (hec == http::error::body_limit) co_return co_await answer_problem(problems::body_too_large, false);
      // A slow or vanished client (timeout, EOF, TLS error): nothing useful can be answered,
      // and a timed-out tcp_stream is already closed.
      if (hec.category() != http_error_category() || hec == http::error::end_of_stream) co_return false;
      co_return co_await answer_problem(problems::malformed_request, false);
    }

    Request& req = parser.get();
    method_ = known_method(req.method());
    if (!transfer_coding_is_plain_chunked(req)) co_return co_await answer_problem(problems::malformed_request, false);
    if (auto expect = req[http::field::expect]; !expect.empty()) {
      if (!beast::iequals(expect, "100-continue")) co_return co_await answer_problem(problems::malformed_request, false);
      // The size is acceptable (checked above against Content-Length): ask for the body.
      static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
      tcp_layer.expires_after(limits_.write_timeout);
      auto [wec, wn] = co_await asio::async_write(stream_, asio::buffer(continue_line), use_tuple);
      if (wec) co_return false;
    }

    tcp_layer.expires_after(limits_.body_timeout);
    auto [bec, bn] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
    if (bec) {
      if (bec == http::error::body_limit) co_return co_await answer_problem(problems::body_too_large, false);
      if (bec.category() != http_error_category() || bec == http::error::end_of_stream) co_return false;
      co_return co_await answer_problem(problems::malformed_request, false);
    }
    bytes_in_ = req.body().size();
    const bool keep_alive = req.keep_alive();

    std::string_view target(req.target().data(), req.target().size());
    std::string_view path = target.substr(0, target.find('?'));
    RouteMatchResult match = snapshot.router.find(std::string_view(req.method_string()), path);
    if (!match.route) {
      if (match.path_known) {
        co_return co_await answer_problem(problems::method_not_allowed, keep_alive, match.allowed_methods);
      }
      co_return co_await answer_problem(problems::route_not_found, keep_alive);
    }
    route_name_ = match.route->name;
    route_ = match.route;
    if (snapshot.merchants.enabled()) {
      const config::Merchant* merchant = nullptr;
      if (const char* failure = authenticate(snapshot, req, merchant)) {
        worker_.runtime.metrics.authentication_failure();
        audit::AuditEvent event("authentication_failure");
        event.with("reason", failure);
        if (!co_await audit_security_event(std::move(event))) {
          co_return co_await answer_problem(problems::audit_unavailable, keep_alive);
        }
        co_return co_await answer_problem(problems::unauthenticated, keep_alive, {}, true);
      }
      merchant_ = merchant->id;
      if (!merchant->may_use(match.route->name)) {
        audit::AuditEvent event("authorization_refusal");
        if (!co_await audit_security_event(std::move(event))) {
          co_return co_await answer_problem(problems::audit_unavailable, keep_alive);
        }
        co_return co_await answer_problem(problems::route_not_allowed, keep_alive);
      }
    }
    // No payment leaves that the audit log cannot record: while its writes fail, refuse
    // before anything reaches the processor.
    if (audit::AuditLog* audit_log = worker_.runtime.audit; audit_log && !audit_log->healthy()) {
      log::error("request refused request_id={} reason=audit_log_failing", request_id_.view());
      co_return co_await answer_problem(problems::audit_unavailable, keep_alive);
    }
    co_return co_await forward(*match.route, req, target, keep_alive);
  }

  // Who sent the request: the connection's verified certificate and/or the request's API
  // key (X-Api-Key, or Authorization: Bearer). Both present must agree. Returns null and
  // sets `merchant`, or a reason code for the audit record.
  const char* authenticate(const Snapshot& snapshot, const Request& req, const config::Merchant*& merchant) {
    std::string_view key;
    if (auto it = req.find(api_key_header); it != req.end()) {
      key = std::string_view(it->value().data(), it->value().size());
    } else if (auto auth = req.find(http::field::authorization); auth != req.end()) {
      const std::string_view value(auth->value().data(), auth->value().size());
      if (value.size() > 7 && beast::iequals(value.substr(0, 7), "Bearer ")) key = value.substr(7);
    }
    const config::Merchant* by_key = key.empty() ? nullptr : snapshot.merchants.by_api_key(key);
    if (!key.empty() && !by_key) return "unknown_api_key";
    // The certificate's merchant, looked up again only when a reload changed the snapshot.
    if (peer_ && certificate_generation_ != snapshot.generation) {
      certificate_merchant_ = snapshot.merchants.by_certificate(*peer_);
      certificate_generation_ = snapshot.generation;
    }
    if (peer_ && !certificate_merchant_ && !by_key) return "unknown_certificate";
    if (by_key && certificate_merchant_ && by_key != certificate_merchant_) return "credentials_disagree";
    merchant = by_key ? by_key : certificate_merchant_;
    return merchant ? nullptr : "no_credentials";
  }

  // An authentication or authorization failure, for the audit log. False when the log
  // refuses it (fail_closed): the request is then answered 503.
  asio::awaitable<bool> audit_security_event(audit::AuditEvent event) {
    audit::AuditLog* log = worker_.runtime.audit;
    if (!log) co_return true;
    event.with("request_id", std::string(request_id_.view()))
        .with("listener", listener_.name)
        .with("route", std::string(route_name_))
        .with("merchant", std::string(merchant_))
        .with("client_certificate", peer_.has_value());
    const crypto::Status status = co_await record_audit(*log, std::move(event));
    co_return status.ok();
  }

  static bool has_pipeline(const config::Route& route) {
    return route.message || !route.request_policy.empty() || !route.response_policy.empty();
  }

  asio::awaitable<bool> forward(const config::Route& route, Request& req, std::string_view target,
                                bool keep_alive) {
    if (has_pipeline(route)) co_return co_await forward_payment(route, req, target, keep_alive);
    const Snapshot& snapshot = *view_->shared;
    const std::size_t processor_index = snapshot.route_processor[snapshot.route_index(route)];
    const ProcessorContext& processor = snapshot.processors[processor_index];

    Request upstream = upstream_request(req, route, processor, target);
    for (http::field f : forwarded_fields) {
      if (auto it = req.find(f); it != req.end()) upstream.set(f, it->value());
    }
    upstream.body() = std::move(req.body());
    upstream.prepare_payload();
    UpstreamPool::Result result = co_await exchange(route, processor_index, upstream);
    if (result.fault != UpstreamFault::none) co_return co_await answer_problem(problem_for(result.fault), keep_alive);

    Response res{result.response.result(), 11};
    if (auto it = result.response.find(http::field::content_type); it != result.response.end()) {
      res.set(http::field::content_type, it->value());
    }
    res.body() = std::move(result.response.body());
    co_return co_await answer(std::move(res), keep_alive);
  }

  // The payment pipeline: request steps on the blocking pool, the exchange here, answer
  // steps on the pool again. The merchant never gets a PAN back; the processor gets exactly
  // what the route's request policy makes of the message.
  asio::awaitable<bool> forward_payment(const config::Route& route, Request& req, std::string_view target,
                                        bool keep_alive) {
    const std::shared_ptr<const Snapshot> snapshot = view_->shared;  // the blocking steps hold it too
    const std::size_t processor_index = snapshot->route_processor[snapshot->route_index(route)];
    const ProcessorContext& processor = snapshot->processors[processor_index];
    // Unauthenticated (no merchants configured): tokens belong to "anonymous".
    const std::string merchant = merchant_ == "-" ? "anonymous" : std::string(merchant_);
    auto pipeline = std::make_shared<PaymentPipeline>(snapshot->services, route, *processor.config, merchant,
                                                      limits_.max_body, processor.config->max_response);
    const auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
    auto body = std::make_shared<std::string>(std::move(req.body()));
    // Fraud screening runs in the request step, after validation and tokenization and
    // before anything leaves: on the blocking pool, because a shared state (Redis) is a
    // network round trip.
    const fraud::Profile* profile = snapshot->fraud_profile(route);
    fraud::Screener* screener = profile ? worker_.runtime.screener.get() : nullptr;
    // Allocated only when this route screens.
    auto observation = screener ? std::make_shared<fraud::Observation>() : nullptr;
    auto decision = screener ? std::make_shared<std::optional<fraud::Decision>>() : nullptr;
    auto request_step = [pipeline, body, today, snapshot, screener, profile, observation, decision, merchant,
                         ip = client_ip_] {
      auto out = pipeline->request(*body, static_cast<int>(today.year()), static_cast<int>(static_cast<unsigned>(today.month())));
      if (out.refusal_status == 0 && screener) {
        *observation = observe(*snapshot, pipeline->actions(), merchant, ip, out.amount, out.billing_country);
        *decision = screener->screen(*profile, *observation, fraud_now());
      }
      return out;
    };
    auto prepared = co_await run_blocking<PipelineRequest>(*worker_.runtime.blocking, std::move(request_step));
    pipeline_ = pipeline;
    if (!prepared) co_return co_await answer_problem(problems::service_busy, keep_alive);
    if (prepared->refusal_status != 0) {
      co_return co_await answer_issues(prepared->refusal_status == 503 ? problems::service_busy : problems::invalid_message_rules,
                                       prepared->issues, keep_alive);
    }
    if (decision && *decision) {
      fraud_decision_ = std::move(**decision);
      fraud_profile_ = profile;
      snapshot->count_fraud(*profile, *fraud_decision_);
      if (fraud_decision_->state_unavailable) {
        log::warn("fraud state unavailable request_id={} route={} policy={}", request_id_.view(), route.name,
                  snapshot->config->fraud.fail_closed ? "fail_closed" : "fail_open");
      }
      if (fraud_decision_->outcome == fraud::Outcome::block) {
        upstream_ = "fraud_block";
        const std::vector<protocol::ValidationIssue> reason{{"$", fraud_decision_->reason}};
        co_return co_await answer_issues(problems::payment_blocked, reason, keep_alive);
      }
    }

    Request upstream = upstream_request(req, route, processor, target);
    upstream.set(http::field::content_type, "application/json");
    upstream.set(http::field::accept, "application/json");
    upstream.body() = std::move(prepared->body);
    upstream.prepare_payload();
    UpstreamPool::Result result = co_await exchange(route, processor_index, upstream);
    if (result.fault != UpstreamFault::none) co_return co_await answer_problem(problem_for(result.fault), keep_alive);
    const auto status = result.response.result();
    fraud::Screener* feedback_to = fraud_profile_ ? screener : nullptr;
    // Reading the answer is parsing, as reading the request was: it happens here. Only
    // when a response policy has a field to tokenize, open or look up (or screening state
    // lives in Redis) does the rest go to the blocking pool; otherwise one hop is saved.
    PipelineAnswer read;
    const bool readable = pipeline->read_answer(result.response.body(), read);
    std::optional<PipelineAnswer> rewritten;
    if (!(readable && pipeline->answer_needs_services()) && (!feedback_to || feedback_to->in_process())) {
      if (readable) pipeline->finish_answer(read);
      give_feedback(feedback_to, *snapshot, observation.get(), read);
      rewritten = std::move(read);
    } else {
      auto answer_step = [pipeline, read = std::move(read), readable, snapshot, feedback_to, observation]() mutable {
        if (readable) pipeline->finish_answer(read);
        give_feedback(feedback_to, *snapshot, observation.get(), read);
        return std::move(read);
      };
      rewritten = co_await run_blocking<PipelineAnswer>(*worker_.runtime.blocking, std::move(answer_step));
    }
    if (!rewritten) co_return co_await answer_problem(problems::service_busy, keep_alive);
    if (rewritten->processor_garbage) {
      upstream_ = "garbage";
      log::warn("processor answer is not JSON request_id={} route={} processor={}", request_id_.view(), route.name,
                processor.config->name);
      co_return co_await answer_problem(problems::processor_failed, keep_alive);
    }
    if (rewritten->refusal_status != 0) {
      upstream_ = "answer_refused";
      log::warn("processor answer refused request_id={} route={} issues={}", request_id_.view(), route.name,
                rewritten->issues.size());
      co_return co_await answer_issues(rewritten->refusal_status == 503 ? problems::service_busy : problems::processor_failed,
                                       rewritten->issues, keep_alive);
    }
    Response res{status, 11};
    res.set(http::field::content_type, "application/json");
    if (fraud_decision_ && fraud_decision_->outcome == fraud::Outcome::review) {
      res.set("Paygate-Fraud-Review", fraud_decision_->reason);  // forwarded, and flagged
    }
    res.body() = std::move(rewritten->body);
    co_return co_await answer(std::move(res), keep_alive);
  }

  asio::awaitable<bool> answer_issues(const Problem& problem, const std::vector<protocol::ValidationIssue>& issues,
                                      bool keep_alive) {
    std::vector<ProblemEntry> entries;
    for (const auto& i : issues) entries.push_back({i.path, i.code});
    Response res{static_cast<http::status>(problem.status), 11};
    res.set(http::field::content_type, "application/problem+json");
    res.body() = problem_body(problem, request_id_.view(), entries);
    co_return co_await answer(std::move(res), keep_alive);
  }

  // What every request to a processor carries: its path, Host, the merchant's
  // Idempotency-Key, the gateway's request id, keep-alive.
  Request upstream_request(const Request& req, const config::Route& route, const ProcessorContext& processor,
                           std::string_view target) const {
    Request upstream{req.method(), upstream_target(route, *processor.config, target), 11};
    upstream.set(http::field::host, processor.host_header);
    if (auto it = req.find(idempotency_key); it != req.end()) upstream.set(idempotency_key, it->value());
    upstream.set("X-Request-Id", request_id_.view());
    upstream.keep_alive(true);
    return upstream;
  }

  // The exchange with the route's processor, through its circuit breaker. Retried once
  // when the request provably never left (connect failure), or when it may have left but
  // the route is idempotent and the merchant sent an Idempotency-Key. A fault is logged
  // and named for the access line and the audit record (the caller answers it).
  asio::awaitable<UpstreamPool::Result> exchange(const config::Route& route, std::size_t processor_index,
                                                 Request& upstream) {
    const ProcessorContext& processor = view_->shared->processors[processor_index];
    const bool may_resend = route.idempotent && upstream.find(idempotency_key) != upstream.end();
    UpstreamPool::Result result;
    for (int attempt = 1;; ++attempt) {
      if (!processor.breaker->allow()) {
        result.fault = UpstreamFault::breaker_open;
        break;
      }
      result = co_await view_->pools[processor_index]->exchange(upstream);
      switch (result.fault) {
        case UpstreamFault::none:
          // A 5xx is an answer to pass on, and a sign of a failing processor.
          if (result.response.result_int() >= 500) processor.breaker->record_failure();
          else processor.breaker->record_success();
          break;
        case UpstreamFault::busy:
        case UpstreamFault::queue_timeout: processor.breaker->record_nothing(); break;
        default: processor.breaker->record_failure();
      }
      const bool never_sent = result.fault == UpstreamFault::connect_failed || result.fault == UpstreamFault::connect_timeout;
      const bool maybe_sent = result.fault == UpstreamFault::reset || result.fault == UpstreamFault::timeout ||
                              result.fault == UpstreamFault::bad_answer;
      if (attempt > 1 || !(never_sent || (maybe_sent && may_resend))) break;
      log::info("retrying request_id={} route={} processor={} after={}", request_id_.view(), route.name,
                processor.config->name, to_string(result.fault));
    }
    if (result.fault == UpstreamFault::none) {
      upstream_ = "ok";
    } else {
      upstream_ = to_string(result.fault);
      worker_.runtime.metrics.upstream_fault(*view_->shared->processor_metrics[processor_index],
                                             static_cast<std::size_t>(result.fault));
      log::warn("processor exchange failed request_id={} route={} processor={} fault={}", request_id_.view(),
                route.name, processor.config->name, upstream_);
    }
    co_return result;
  }

  static std::string upstream_target(const config::Route& route, const config::Processor& processor,
                                     std::string_view target) {
    std::string out = processor.base_path + route.upstream_path;
    if (auto q = target.find('?'); q != std::string_view::npos) out += target.substr(q);
    return out;
  }

  asio::awaitable<bool> answer_problem(const Problem& problem, bool keep_alive,
                                       std::string_view allow = {}, bool challenge = false) {
    Response res{static_cast<http::status>(problem.status), 11};
    res.set(http::field::content_type, "application/problem+json");
    if (!allow.empty()) res.set(http::field::allow, allow);
    if (challenge) res.set(http::field::www_authenticate, "Bearer");
    res.body() = problem_body(problem, request_id_.view());
    co_return co_await answer(std::move(res), keep_alive);
  }

  asio::awaitable<bool> answer(Response res, bool keep_alive) {
    // Draining: this answer is the connection's last.
    if (worker_.runtime.draining.load(std::memory_order_relaxed)) keep_alive = false;
    res.set(http::field::server, "paygate");
    res.set("X-Request-Id", request_id_.view());
    res.keep_alive(keep_alive);
    res.prepare_payload();
    const unsigned status = res.result_int();
    const std::uint64_t bytes_out = res.body().size();
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_);
    Metrics& metrics = worker_.runtime.metrics;
    const Snapshot& snapshot = *view_->shared;
    if (route_) metrics.request(*snapshot.route_metrics[snapshot.route_index(*route_)], status, latency);
    else metrics.unrouted(status);
    if (pipeline_) {
      const auto& counts = pipeline_->actions().counts();
      for (std::size_t a = 0; a < counts.size(); ++a) {
        if (counts[a] > 0) metrics.action(a, counts[a]);
      }
      for (const auto& id : pipeline_->actions().key_ids()) {
        if (auto it = snapshot.key_use.find(id); it != snapshot.key_use.end()) it->second->fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (audit::AuditLog* audit_log = worker_.runtime.audit; audit_log && route_name_ != "-") {
      // One record per request that reached a route (the answer is already decided; a
      // refusal by a fail_closed log is logged and counted, not hidden).
      // Built as a named value first: g++ 12 destroys temporaries of a co_await
      // expression twice.
      audit::AuditEvent event("request");
      event.with("request_id", std::string(request_id_.view()))
          .with("listener", listener_.name)
          .with("merchant", std::string(merchant_))
          .with("route", std::string(route_name_))
          .with("method", std::string(method_))
          .with("status", status)
          .with("upstream", std::string(upstream_))
          .with("latency_us", static_cast<std::int64_t>(latency.count()))
          .with("actions", pipeline_actions())
          .with("key_ids", pipeline_key_ids())
          .with("token", pipeline_ ? pipeline_->actions().token() : "")
          .with("masked_pan", pipeline_ ? pipeline_->actions().masked_pan() : "");
      if (fraud_decision_ && fraud_profile_) event.with("fraud", fraud_record(*fraud_profile_, *fraud_decision_));
      auto recorded = co_await record_audit(*audit_log, std::move(event));
      if (!recorded.ok()) log::error("audit record refused request_id={} reason={}", request_id_.view(), recorded.error().reason);
    }
    stream_.next_layer().expires_after(limits_.write_timeout);
    auto [ec, n] = co_await http::async_write(stream_, res, use_tuple);
    log::access({.request_id = request_id_.view(),
                 .listener = listener_.name,
                 .route = route_name_,
                 .method = method_,
                 .status = status,
                 .bytes_in = bytes_in_,
                 .bytes_out = bytes_out,
                 .latency = latency,
                 .merchant = merchant_,
                 .upstream = upstream_});
    co_return !ec && keep_alive;
  }

  // Lets go of the request's snapshot (and what points into it) before the connection
  // idles: an idle keep-alive connection does not keep an old configuration alive.
  void end_request() {
    route_name_ = "-";
    merchant_ = "-";
    route_ = nullptr;
    pipeline_.reset();
    fraud_decision_.reset();
    fraud_profile_ = nullptr;
    view_.reset();
  }

  asio::awaitable<void> close() {
    auto& tcp_layer = stream_.next_layer();
    if (!tcp_layer.socket().is_open()) co_return;
    // Say goodbye properly when the client is still there, but never wait long for it.
    tcp_layer.expires_after(std::chrono::seconds(1));
    co_await stream_.async_shutdown(use_tuple);
    beast::error_code ignored;
    tcp_layer.socket().close(ignored);
  }

  boost::json::array pipeline_actions() const {
    boost::json::array out;
    if (pipeline_) {
      for (const auto& a : pipeline_->actions().actions_done()) out.emplace_back(a);
    }
    return out;
  }
  boost::json::array pipeline_key_ids() const {
    boost::json::array out;
    if (pipeline_) {
      for (const auto& k : pipeline_->actions().key_ids()) out.emplace_back(k);
    }
    return out;
  }

  // A method name fit for logs: only methods we know, never client text.
  static std::string_view known_method(http::verb verb) {
    switch (verb) {
      case http::verb::get: return "GET";
      case http::verb::post: return "POST";
      case http::verb::put: return "PUT";
      case http::verb::patch: return "PATCH";
      case http::verb::delete_: return "DELETE";
      case http::verb::head: return "HEAD";
      case http::verb::options: return "OPTIONS";
      default: return "OTHER";
    }
  }

  Worker& worker_;
  ListenerContext& listener_;
  std::shared_ptr<ssl::context> tls_;     // kept: the stream's SSL points into it
  const config::ListenerLimits limits_;   // a copy: the snapshot it came from may go
  ServerTlsStream stream_;
  beast::flat_buffer buffer_;

  // Per request, for the answer and the access line.
  Clock::time_point start_{};
  RequestId request_id_;
  std::string_view route_name_ = "-";
  std::string_view method_ = "-";
  std::string_view upstream_ = "-";
  std::string_view merchant_ = "-";  // a config string: lives as long as view_
  std::shared_ptr<PaymentPipeline> pipeline_;  // this request's, when its route has one
  const config::Route* route_ = nullptr;       // this request's, once routed (view_'s config)
  std::shared_ptr<ThreadSnapshot> view_;       // this request's snapshot and pools
  std::optional<fraud::Decision> fraud_decision_;  // this request's, when its route screens
  const fraud::Profile* fraud_profile_ = nullptr;  // view_'s config
  std::uint64_t bytes_in_ = 0;

  // Per connection: the verified client certificate, and its merchant under the snapshot
  // of generation certificate_generation_.
  std::optional<net::PeerCertificate> peer_;
  std::string client_ip_;  // the TCP peer (a load balancer in front must preserve it: PROXY protocol is not read)
  const config::Merchant* certificate_merchant_ = nullptr;
  std::uint64_t certificate_generation_ = 0;
};

}  // namespace

asio::awaitable<void> serve_https(Worker& worker, ListenerContext& listener, tcp::socket socket) {
  HttpSession session(worker, listener, std::move(socket));
  co_await session.run();
}

}  // namespace paygate::gateway
