// A pool of keep-alive TLS connections from one network thread to one processor.
//
// Each network thread owns its own pools, so nothing here is shared between threads and
// nothing takes a lock. The pool caps its open connections and the requests waiting for
// one; every phase of an exchange runs under a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "gateway/circuit_breaker.h"
#include "net/asio.h"

namespace paygate::gateway {

// Why an exchange with the processor failed. Each maps to one problem answer.
enum class UpstreamFault {
  none,
  busy,             // too many requests already waiting for a connection   -> 503
  queue_timeout,    // waited for a free connection past the connect timeout -> 504
  connect_failed,   // refused, unreachable, TLS handshake or verification   -> 502
  connect_timeout,  // TCP connect + TLS handshake too slow                  -> 504
  reset,            // connection broke while writing or reading             -> 502
  bad_answer,       // not a valid HTTP/1.1 answer                           -> 502
  answer_too_large, // answer body over the processor's max_response        -> 502
  timeout,          // no complete answer within the response timeout        -> 504
  breaker_open,     // the processor's circuit breaker is open: not contacted  -> 503
};

// Stable lower-case name, for logs and metrics.
std::string_view to_string(UpstreamFault fault);

// What every thread's pool for one processor shares. Immutable.
struct ProcessorContext {
  const config::Processor* config = nullptr;
  std::shared_ptr<net::ssl::context> tls;
  std::string host_header;  // Host header value sent to the processor
  std::shared_ptr<CircuitBreaker> breaker;  // the one mutable part: shared by every thread
};

class UpstreamPool {
 public:
  struct Result {
    UpstreamFault fault = UpstreamFault::none;
    net::http::response<net::http::string_body> response;  // valid when fault == none
  };

  // `max_connections` and `max_waiting` are this thread's share of the processor's limits.
  UpstreamPool(net::asio::any_io_executor executor, const ProcessorContext& processor,
               std::uint32_t max_connections, std::uint32_t max_waiting);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // Sends `request` and reads the answer. Never throws; the result says what failed.
  net::asio::awaitable<Result> exchange(const net::http::request<net::http::string_body>& request);

  std::size_t open_connections() const { return open_; }

 private:
  struct Connection;
  struct Waiter;
  struct Lease {
    std::unique_ptr<Connection> connection;
    UpstreamFault fault = UpstreamFault::none;
  };

  net::asio::awaitable<Lease> acquire();
  net::asio::awaitable<Lease> open_new();
  void release(std::unique_ptr<Connection> connection, bool reusable);
  bool still_usable(Connection& connection) const;
  // Idle connections past the pool's idle_timeout are closed by a timer, not only when a
  // request next looks at them: after a burst, a quiet pool gives its sockets back.
  void arm_reaper();
  void reap_idle();

  net::asio::any_io_executor executor_;
  const ProcessorContext& processor_;
  std::uint32_t max_connections_;
  std::uint32_t max_waiting_;
  std::uint32_t open_ = 0;  // idle + in use + being opened
  std::vector<std::unique_ptr<Connection>> idle_;  // most recently used last
  std::deque<Waiter*> waiting_;
  std::unique_ptr<net::asio::steady_timer> reaper_;
  bool reaper_armed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once destroyed: late timer handlers stop
};

}  // namespace paygate::gateway
