// One HTTPS/1.1 merchant connection: TLS handshake, then keep-alive requests, each read
// under its own deadlines and handed to the payment flow (gateway/flow/payment_flow.h);
// the flow's outcome becomes the answer through one table (gateway/http/answers.h).
// This file frames HTTP and nothing else: framing refusals (malformed, too large, a
// smuggling attempt) are answered here, everything about a payment is the flow's.
#include <boost/beast/core/string.hpp>

#include <chrono>
#include <memory>

#include "gateway/client_address.h"
#include "gateway/flow/json_message.h"
#include "gateway/http/answers.h"
#include "gateway/log.h"
#include "gateway/merchant_connection.h"
#include "net/read_buffer.h"
#include "protocol/http/field_value.h"
#include "protocol/http/header_block.h"

namespace paygate::gateway {
namespace {

using namespace net;
using Clock = std::chrono::steady_clock;
using Request = http::request<http::string_body, ArenaFields>;
using Response = http::response<http::string_body, ArenaFields>;

constexpr std::string_view idempotency_key = "Idempotency-Key";
constexpr std::string_view api_key_header = "X-Api-Key";
constexpr std::string_view request_id_header = "X-Request-Id";

// Transfer-Encoding, when present, must be exactly one `chunked`: any other coding (or
// chunked not last, or the header twice) leaves the body's length to interpretation, and
// a proxy behind or in front of us might read it differently (RFC 9112 §6.1).
bool transfer_coding_is_plain_chunked(const Request& req) {
  auto [first, last] = req.equal_range(http::field::transfer_encoding);
  if (first == last) return true;
  if (std::next(first) != last) return false;
  return beast::iequals(protocol::http::trim_ows(std::string_view(first->value().data(), first->value().size())),
                        "chunked");
}

std::string_view header(const Request& req, std::string_view name) {
  auto it = req.find(name);
  return it == req.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}
template <class Message>
std::string_view header(const Message& m, http::field name) {
  auto it = m.find(name);
  return it == m.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

// The request's API key: X-Api-Key, or Authorization: Bearer.
std::string_view api_key(const Request& req) {
  if (auto key = header(req, api_key_header); !key.empty()) return key;
  const std::string_view auth = header(req, http::field::authorization);
  if (auth.size() > 7 && beast::iequals(auth.substr(0, 7), "Bearer ")) return auth.substr(7);
  return {};
}

// A method name fit for logs: only methods we know, never client text.
std::string_view known_method(http::verb verb) {
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

// Each request takes the thread's current snapshot for everything but the connection's
// TLS context and limits (routes, merchants, keys, processors).
class HttpSession : MerchantConnection {
 public:
  HttpSession(Worker& worker, ListenerContext& listener, tcp::socket socket)
      : MerchantConnection(worker, listener, std::move(socket)) {
    const config::Listener& settings = worker.current->shared->config->listeners[listener.index];
    const auto max_age = settings.hsts_max_age;
    if (max_age.count() > 0)
      hsts_ = "max-age=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(max_age).count());
    for (const auto& proxy : settings.trusted_proxies) {
      if (auto block = config::parse_address_block(proxy)) trusted_proxies_.push_back(*block);
    }
  }

  asio::awaitable<void> run() {
    auto& tcp_layer = stream_.next_layer();
    // The certificate is the connection's; an API key may still identify each request.
    if (!co_await handshake()) co_return;
    bool first = true;
    for (;;) {
      if (buffer_.size() == 0) {
        if (worker_.runtime.draining.load(std::memory_order_relaxed)) break;
        // Wait for the next request: the header deadline for the first one, the idle
        // deadline between keep-alive requests. A drain cancels the wait.
        tcp_layer.expires_after(first ? limits_.header_timeout : limits_.idle_timeout);
        IdleWait idle([&tcp_layer] { tcp_layer.cancel(); });
        worker_.idle_waits.push_back(idle);
        // Idle, the connection holds no buffer: wait until there is something to read.
        buffer_.shrink_to_fit();
        auto [ec] = co_await stream_.async_wait_readable(use_tuple);
        idle.unlink();
        if (ec) break;
        auto [rec, n] = co_await stream_.async_read_some(buffer_.prepare(read_block_size), use_tuple);
        if (rec) break;
        buffer_.commit(n);
      }
      first = false;
      if (!co_await serve_one()) break;
    }
    co_await shut_down();
  }

 private:
  // Reads, handles and answers one request. Returns whether the connection stays open.
  asio::awaitable<bool> serve_one() {
    auto& tcp_layer = stream_.next_layer();
    Exchange x = start_exchange();
    std::string_view method = "-";
    // The request's and the answer's header fields live in this exchange's arena.
    HeaderArena<2048> arena;
    fields_ = arena.resource();

    http::request_parser<http::string_body, ArenaAllocator> parser(std::piecewise_construct, std::make_tuple(),
                                                                   std::make_tuple(arena.allocator()));
    parser.header_limit(static_cast<std::uint32_t>(limits_.max_header));
    parser.body_limit(limits_.max_body);
    tcp_layer.expires_after(limits_.header_timeout);
    // Framing Beast would let through (obs-fold) or wait on (bare LF) is refused on the raw
    // bytes first; the same header deadline covers this read and Beast's.
    for (;;) {
      const auto data = buffer_.cdata();
      const auto scan = protocol::http::scan_header_block(std::string_view(
          static_cast<const char*>(data.data()), std::min<std::size_t>(data.size(), limits_.max_header + 4)));
      using protocol::http::HeaderBlockState;
      if (scan.state == HeaderBlockState::obs_fold || scan.state == HeaderBlockState::bad_line_end) {
        co_return co_await refuse(x, method, problems::malformed_request, false);
      }
      if (scan.state == HeaderBlockState::complete || buffer_.size() > limits_.max_header) break;
      auto [rec, rn] = co_await stream_.async_read_some(buffer_.prepare(read_block_size), use_tuple);
      if (rec) co_return false;  // slow, vanished or broken client: nothing to answer
      buffer_.commit(rn);
    }
    auto [hec, hn] = co_await http::async_read_header(stream_, buffer_, parser, use_tuple);
    if (hec) {
      if (hec == http::error::header_limit) co_return co_await refuse(x, method, problems::header_too_large, false);
      if (hec == http::error::body_limit) co_return co_await refuse(x, method, problems::body_too_large, false);
      // A slow or vanished client (timeout, EOF, TLS error): nothing useful can be answered,
      // and a timed-out tcp_stream is already closed.
      if (hec.category() != http_error_category() || hec == http::error::end_of_stream) co_return false;
      co_return co_await refuse(x, method, problems::malformed_request, false);
    }

    Request& req = parser.get();
    method = known_method(req.method());
    if (!transfer_coding_is_plain_chunked(req)) co_return co_await refuse(x, method, problems::malformed_request, false);
    if (auto expect = req[http::field::expect]; !expect.empty()) {
      if (!beast::iequals(expect, "100-continue")) co_return co_await refuse(x, method, problems::malformed_request, false);
      // The size is acceptable (checked above against Content-Length): ask for the body.
      static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
      tcp_layer.expires_after(limits_.write_timeout);
      auto [wec, wn] = co_await asio::async_write(stream_, asio::buffer(continue_line), use_tuple);
      if (wec) co_return false;
    }

    tcp_layer.expires_after(limits_.body_timeout);
    auto [bec, bn] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
    if (bec) {
      if (bec == http::error::body_limit) co_return co_await refuse(x, method, problems::body_too_large, false);
      if (bec.category() != http_error_category() || bec == http::error::end_of_stream) co_return false;
      co_return co_await refuse(x, method, problems::malformed_request, false);
    }
    x.bytes_in = req.body().size();
    const bool keep_alive = req.keep_alive();
    x.credentials.api_key = api_key(req);
    // Who and which trace: the caller's request id when safe, its W3C trace continued (or
    // a new one), and behind a trusted proxy the client the proxy names.
    if (auto id = safe_request_id(header(req, request_id_header))) x.request_id = RequestId::from_caller(*id);
    x.trace = worker_.traces.continue_or_start(header(req, "traceparent"), header(req, "tracestate"));
    if (!trusted_proxies_.empty()) {
      x.forwarded_client_ip = client_address(x.credentials.client_ip, header(req, http::field::forwarded),
                                             header(req, "X-Forwarded-For"), trusted_proxies_);
      x.credentials.client_ip = x.forwarded_client_ip;
    }

    HttpRequestIn in;
    in.method = std::string(req.method_string());
    in.target = std::string(req.target());
    in.content_type = std::string(header(req, http::field::content_type));
    in.accept = std::string(header(req, http::field::accept));
    in.idempotency_key = std::string(header(req, idempotency_key));
    in.traceparent = x.trace->traceparent();
    in.tracestate = x.trace->tracestate;
    in.body = std::move(req.body());
    auto message = std::make_shared<JsonMessage>(std::move(in), limits_.max_body);
    x.message = message;
    co_await worker_.flow.run(x);

    if (x.outcome == Outcome::replayed && x.replay) {
      // The first request's answer, as the merchant saw it then; this request's own id.
      Response res = new_response(x.replay->status);
      res.set(http::field::content_type, x.replay->content_type);
      res.set("Idempotent-Replayed", "true");
      res.body() = std::move(x.replay->body);
      co_return co_await answer(x, method, std::move(res), keep_alive);
    }
    const bool answered = x.outcome == Outcome::answered;
    Response res =
        answered ? new_response(message->answer_status()) : problem_answer(x, problem_for(x.outcome), x.issues);
    if (!answered) {
      if (x.outcome == Outcome::method_not_allowed) res.set(http::field::allow, message->allowed_methods());
      if (x.outcome == Outcome::unauthenticated) res.set(http::field::www_authenticate, "Bearer");
    } else {
      if (!message->answer_content_type().empty()) res.set(http::field::content_type, message->answer_content_type());
      if (const fraud::Decision* d = x.fraud(); d && d->outcome == fraud::Outcome::review) {
        res.set("Paygate-Fraud-Review", d->reason);  // forwarded, and flagged
      }
      res.body() = message->take_answer_body();
    }
    if (worker_.flow.needs_settling(x))
      co_await worker_.flow.settle(x, res.result_int(), header(res, http::field::content_type), res.body());
    co_return co_await answer(x, method, std::move(res), keep_alive);
  }

  // An answer whose fields go into this exchange's arena.
  Response new_response(unsigned status) const {
    Response res(std::piecewise_construct, std::make_tuple(), std::make_tuple(ArenaAllocator(fields_)));
    res.result(status);
    res.version(11);
    return res;
  }

  Response problem_answer(const Exchange& x, const Problem& problem, const std::vector<protocol::ValidationIssue>& issues) {
    Response res = new_response(problem.status);
    res.set(http::field::content_type, "application/problem+json");
    if (issues.empty()) {
      res.body() = problem_body(problem, x.request_id.view());
    } else {
      std::vector<ProblemEntry> entries;
      entries.reserve(issues.size());
      for (const auto& i : issues) entries.push_back({i.path, i.code});
      res.body() = problem_body(problem, x.request_id.view(), entries);
    }
    return res;
  }

  // A request refused for its framing, before the flow could see it.
  asio::awaitable<bool> refuse(Exchange& x, std::string_view method, const Problem& problem, bool keep_alive) {
    co_return co_await answer(x, method, problem_answer(x, problem, {}), keep_alive);
  }

  asio::awaitable<bool> answer(Exchange& x, std::string_view method, Response res, bool keep_alive) {
    // Draining: this answer is the connection's last.
    if (worker_.runtime.draining.load(std::memory_order_relaxed)) keep_alive = false;
    res.set(http::field::server, "paygate");
    res.set(request_id_header, x.request_id.view());
    // Every answer may hold a token or a payment's details: no cache keeps it, no browser
    // sniffs it into something else, and a browser that saw paygate once uses HTTPS only.
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    if (!hsts_.empty()) res.set(http::field::strict_transport_security, hsts_);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    WireAnswer wire;
    wire.record_type = "request";
    wire.method = method;
    wire.status = res.result_int();
    wire.response_code = x.answer_facts.response_code;
    wire.bytes_out = res.body().size();
    co_await worker_.flow.record(x, wire);
    stream_.next_layer().expires_after(limits_.write_timeout);
    auto [ec, n] = co_await http::async_write(stream_, res, use_tuple);
    co_return !ec && keep_alive;
  }

  ReadBuffer buffer_;  // no block while idle; blocks recycled per thread (net/read_buffer.h)
  // The arena of the exchange being served (serve_one's local): set there, used only by
  // what it calls.
  std::pmr::memory_resource* fields_ = std::pmr::get_default_resource();
  std::string hsts_;  // the header's value, from the listener at accept; empty: not sent
  std::vector<config::AddressBlock> trusted_proxies_;  // from the listener at accept
};

}  // namespace

asio::awaitable<void> serve_https(Worker& worker, ListenerContext& listener, tcp::socket socket) {
  HttpSession session(worker, listener, std::move(socket));
  co_await session.run();
}

}  // namespace paygate::gateway
