#include "gateway/upstream/https_pool.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "gateway/upstream/endpoints.h"

namespace paygate::gateway {

using namespace net;
using Clock = std::chrono::steady_clock;

struct HttpsPool::Connection {
  explicit Connection(std::unique_ptr<SocketTlsStream> connected) : stream(std::move(connected)) {}
  std::unique_ptr<SocketTlsStream> stream;
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};
  bool used = false;  // has completed at least one exchange
};

// A request parked until a connection frees up, or a slot to open one does.
struct HttpsPool::Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(executor) {}
  asio::steady_timer timer;
  std::unique_ptr<Connection> handed;  // a reusable connection, handed over by release()
  bool may_open = false;               // a slot was reserved for this waiter by release()
};

HttpsPool::HttpsPool(asio::any_io_executor executor, const ProcessorContext& processor,
                           std::uint32_t max_connections, std::uint32_t max_waiting)
    : executor_(std::move(executor)),
      processor_(processor),
      max_connections_(std::max<std::uint32_t>(1, max_connections)),
      max_waiting_(max_waiting) {}

HttpsPool::~HttpsPool() { *alive_ = false; }

void HttpsPool::arm_reaper() {
  if (reaper_armed_ || idle_.empty()) return;
  if (!reaper_) reaper_ = std::make_unique<asio::steady_timer>(executor_);
  reaper_armed_ = true;
  // The oldest idle connection is first in idle_; wake when it expires.
  reaper_->expires_at(idle_.front()->idle_since + processor_.config->pool.idle_timeout +
                      std::chrono::milliseconds(1));
  reaper_->async_wait([this, alive = alive_](const beast::error_code& ec) {
    if (!*alive || ec) return;
    reaper_armed_ = false;
    reap_idle();
  });
}

void HttpsPool::reap_idle() {
  const auto now = Clock::now();
  while (!idle_.empty() && now - idle_.front()->idle_since > processor_.config->pool.idle_timeout) {
    beast::error_code ignored;
    idle_.front()->stream->next_layer().socket().close(ignored);
    idle_.erase(idle_.begin());
    --open_;
  }
  arm_reaper();
}

bool HttpsPool::still_usable(Connection& c) const {
  if (Clock::now() - c.idle_since > processor_.config->pool.idle_timeout) return false;
  // A processor that closed the idle connection has left a FIN (recv returns 0) or, after
  // an exchange, a TLS close_notify (bytes nobody asked for). Either way: do not reuse.
  char byte;
  auto fd = c.stream->next_layer().socket().native_handle();
  ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return false;
  if (n > 0) return !c.used;  // a fresh connection may still hold TLS 1.3 session tickets
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

asio::awaitable<HttpsPool::Lease> HttpsPool::open_new() {
  Lease lease;
  beast::tcp_stream tcp(executor_);
  std::unique_ptr<SocketTlsStream> stream;
  const auto ec = co_await connect_processor(processor_, Clock::now() + processor_.config->timeouts.connect, tcp, stream);
  if (ec) {
    --open_;
    lease.fault = ec == beast::error::timeout ? UpstreamFault::connect_timeout : UpstreamFault::connect_failed;
    // The slot this attempt held is free again: let a waiter try.
    release(nullptr, false);
    co_return lease;
  }
  lease.connection = std::make_unique<Connection>(std::move(stream));
  co_return lease;
}

asio::awaitable<HttpsPool::Lease> HttpsPool::acquire() {
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    if (still_usable(*c)) co_return Lease{std::move(c), UpstreamFault::none};
    --open_;
  }
  if (open_ < max_connections_) {
    ++open_;
    co_return co_await open_new();
  }
  if (waiting_.size() >= max_waiting_) co_return Lease{nullptr, UpstreamFault::busy};

  Waiter waiter(executor_);
  waiter.timer.expires_after(processor_.config->timeouts.connect);
  waiting_.push_back(&waiter);
  co_await waiter.timer.async_wait(use_tuple);
  // release() removes a waiter from the queue when it serves it; a timed-out one is still there.
  if (waiter.handed) co_return Lease{std::move(waiter.handed), UpstreamFault::none};
  if (waiter.may_open) co_return co_await open_new();
  std::erase(waiting_, &waiter);
  co_return Lease{nullptr, UpstreamFault::queue_timeout};
}

void HttpsPool::release(std::unique_ptr<Connection> connection, bool reusable) {
  if (connection && reusable) {
    connection->used = true;
    if (!waiting_.empty()) {
      Waiter* next = waiting_.front();
      waiting_.pop_front();
      next->handed = std::move(connection);
      next->timer.cancel();
      return;
    }
    connection->idle_since = Clock::now();
    idle_.push_back(std::move(connection));
    arm_reaper();
    return;
  }
  if (connection) {
    // Not reusable: close without a TLS shutdown exchange (the peer may be gone).
    beast::error_code ignored;
    connection->stream->next_layer().socket().close(ignored);
    connection.reset();
    --open_;
  }
  if (!waiting_.empty() && open_ < max_connections_) {
    Waiter* next = waiting_.front();
    waiting_.pop_front();
    ++open_;
    next->may_open = true;
    next->timer.cancel();
  }
}

asio::awaitable<UpstreamAnswer> HttpsPool::exchange(const UpstreamRequest& upstream_request) {
  UpstreamAnswer result;
  const auto* out = std::get_if<HttpRequestOut>(&upstream_request.message);
  if (!out) {
    result.fault = UpstreamFault::bad_answer;  // a caller bug: never an HTTPS request
    co_return result;
  }
  // The request's and the answer's header fields live in this exchange's arena.
  HeaderArena<2048> arena;
  // The body is written from the caller's string (kept for a resend), not copied.
  http::request<http::span_body<const char>, ArenaFields> request(std::piecewise_construct, std::make_tuple(),
                                                                  std::make_tuple(arena.allocator()));
  request.method_string(out->method);
  request.target(out->target);
  request.version(11);
  request.set(http::field::host, processor_.host_header);
  for (const auto& [name, value] : out->headers) request.set(name, value);
  request.keep_alive(true);
  request.body() = std::span<const char>(out->body.data(), out->body.size());
  request.prepare_payload();
  Lease lease = co_await acquire();
  if (lease.fault != UpstreamFault::none) {
    result.fault = lease.fault;
    co_return result;
  }
  Connection& c = *lease.connection;
  auto& tcp_layer = c.stream->next_layer();
  tcp_layer.expires_after(processor_.config->timeouts.response);

  auto [wec, written] = co_await http::async_write(*c.stream, request, use_tuple);
  if (wec) {
    release(std::move(lease.connection), false);
    result.fault = wec == beast::error::timeout ? UpstreamFault::timeout : UpstreamFault::reset;
    co_return result;
  }

  http::response_parser<http::string_body, ArenaAllocator> parser(std::piecewise_construct, std::make_tuple(),
                                                                  std::make_tuple(arena.allocator()));
  parser.body_limit(processor_.config->max_response);
  parser.header_limit(64 * 1024);
  auto [rec, read] = co_await http::async_read(*c.stream, c.buffer, parser, use_tuple);
  if (rec) {
    release(std::move(lease.connection), false);
    if (rec == beast::error::timeout) result.fault = UpstreamFault::timeout;
    else if (rec == http::error::body_limit) result.fault = UpstreamFault::answer_too_large;
    else if (rec == http::error::end_of_stream) result.fault = UpstreamFault::reset;
    else if (rec.category() == http_error_category()) result.fault = UpstreamFault::bad_answer;
    else result.fault = UpstreamFault::reset;
    co_return result;
  }
  auto response = parser.release();
  tcp_layer.expires_never();
  // Bytes after the answer mean the processor is not speaking HTTP/1.1 as we are.
  const bool reusable = response.keep_alive() && c.buffer.size() == 0;
  release(std::move(lease.connection), reusable);
  HttpAnswerIn answer;
  answer.status = response.result_int();
  if (auto it = response.find(http::field::content_type); it != response.end()) {
    answer.content_type = std::string(it->value());
  }
  answer.body = std::move(response.body());
  result.message = std::move(answer);
  co_return result;
}

}  // namespace paygate::gateway
