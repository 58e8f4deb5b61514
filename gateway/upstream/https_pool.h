// The Upstream of an HTTPS processor: a pool of keep-alive TLS connections from one
// network thread to it.
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
#include "gateway/upstream/processor.h"
#include "gateway/upstream/upstream.h"
#include "net/asio.h"

namespace paygate::gateway {

class HttpsPool final : public Upstream {
 public:
  // `max_connections` and `max_waiting` are this thread's share of the processor's limits.
  HttpsPool(net::asio::any_io_executor executor, const ProcessorContext& processor,
               std::uint32_t max_connections, std::uint32_t max_waiting);
  ~HttpsPool() override;
  HttpsPool(const HttpsPool&) = delete;
  HttpsPool& operator=(const HttpsPool&) = delete;

  // Sends `request` (an HttpRequestOut) and reads the answer.
  net::asio::awaitable<UpstreamAnswer> exchange(const UpstreamRequest& request) override;

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
