// Internal to gateway/: what the network threads share (immutable) and what each owns.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <vector>

#include "config/config.h"
#include "crypto/aead_envelope.h"
#include "gateway/blocking_pool.h"
#include "gateway/merchant_directory.h"
#include "gateway/metrics.h"
#include "gateway/request_actions.h"
#include "gateway/token_service.h"
#include "gateway/net/asio.h"
#include "gateway/request_id.h"
#include "gateway/router.h"
#include "gateway/upstream_pool.h"

namespace paygate::audit {
class AuditLog;
}

namespace paygate::gateway {

struct ListenerContext {
  const config::Listener* config = nullptr;
  std::shared_ptr<net::ssl::context> tls;
  net::tcp::endpoint bound;
  std::atomic<std::uint32_t> connections{0};  // open sessions, all threads
};

// Everything built from one configuration. Read-only once the threads run.
struct SharedState {
  std::shared_ptr<const config::Config> config;
  std::vector<std::unique_ptr<ListenerContext>> listeners;
  std::vector<ProcessorContext> processors;      // in config order
  std::vector<std::size_t> route_processor;      // per route: index into processors
  Router router;
  MerchantDirectory merchants;
  mutable Metrics metrics;  // counters: written by every thread (atomics), not configuration
  audit::AuditLog* audit = nullptr;  // null: no audit section
  // Field actions: tokens, envelopes, and the threads that run them off the network.
  std::unique_ptr<TokenService> tokens;                // null without token profiles
  std::unique_ptr<crypto::EnvelopeCipher> envelopes;   // null without a keyring
  ActionServices services;
  std::unique_ptr<BlockingPool> blocking;              // stopped before the workers go
  std::atomic<bool> draining{false};                   // shutdown: finish what is in flight, take nothing new

  explicit SharedState(std::shared_ptr<const config::Config> c)
      : config(std::move(c)), router(*config), merchants(*config), metrics(*config) {}
  std::size_t route_index(const config::Route& route) const {
    return static_cast<std::size_t>(&route - config->routes.data());
  }
  std::size_t listener_index(const config::Listener& listener) const {
    return static_cast<std::size_t>(&listener - config->listeners.data());
  }
};

// One network thread: its own io_context, acceptors, pools and request ids. Nothing in
// here is touched by another thread, so nothing needs a lock.
struct Worker {
  Worker(std::uint32_t index_, const SharedState& shared_)
      : io(1), index(index_), shared(shared_), ids(index_) {}

  net::asio::io_context io;  // first member: destroyed last, after everything using it
  std::uint32_t index;
  const SharedState& shared;
  RequestIdGenerator ids;
  std::vector<std::unique_ptr<net::tcp::acceptor>> acceptors;  // per listener
  std::vector<std::unique_ptr<UpstreamPool>> pools;             // per processor
  // Sessions waiting for a keep-alive connection's next request: a drain closes them at
  // once instead of waiting out their idle timeout. Each entry cancels its session's wait.
  std::set<std::function<void()>*> idle_waits;
};

// Runs one merchant connection to its end.
net::asio::awaitable<void> serve_https(Worker& worker, ListenerContext& listener,
                                       net::tcp::socket socket);

}  // namespace paygate::gateway
