#include "gateway/server.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>

#include "gateway/admin_server.h"
#include "gateway/log.h"
#include "gateway/net/tls_context.h"
#include "gateway/worker.h"

namespace paygate::gateway {

using namespace net;

struct Gateway::State {
  explicit State(std::shared_ptr<const config::Config> config) : shared(std::move(config)) {}
  SharedState shared;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::unique_ptr<AdminServer> admin;  // declared last: stops first
};

namespace {

Metrics::Gauges gauges(const SharedState& shared) {
  Metrics::Gauges g;
  for (const auto& l : shared.listeners) g.open_connections.push_back(l->connections.load());
  for (const auto& p : shared.processors) {
    const auto state = p.breaker->state();
    g.breaker_state.push_back(state == CircuitBreaker::State::closed ? 0 : state == CircuitBreaker::State::half_open ? 1 : 2);
  }
  return g;
}

// /readyz: ready to take payments — not draining, the vault answers (when there is one),
// and at least one processor's breaker is not open. The reasons are fixed words.
AdminAnswer readiness(SharedState& shared) {
  std::vector<std::string> problems;
  if (shared.draining.load()) problems.push_back("draining");
  if (shared.tokens && shared.tokens->vault() && !shared.tokens->vault()->store().count()) {
    problems.push_back("vault_unreachable");
  }
  bool processor_up = false;
  for (const auto& p : shared.processors) processor_up = processor_up || p.breaker->state() != CircuitBreaker::State::open;
  if (!processor_up) problems.push_back("every_processor_breaker_open");
  std::string body = "{\"ready\":" + std::string(problems.empty() ? "true" : "false") + ",\"problems\":[";
  for (std::size_t i = 0; i < problems.size(); ++i) body += (i ? ",\"" : "\"") + problems[i] + "\"";
  body += "]}\n";
  return {problems.empty() ? 200u : 503u, "application/json", body};
}

std::string host_header(const config::Processor& p) {
  std::string host = p.tls.server_name;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  if (p.endpoint.port != 443) host += ":" + std::to_string(p.endpoint.port);
  return host;
}

std::uint32_t thread_count(const config::Config& config) {
  if (config.threads > 0) return config.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

// This thread's share of a process-wide limit (rounded up, so the total is never below it).
std::uint32_t share(std::uint32_t total, std::uint32_t threads) {
  return (total + threads - 1) / threads;
}

// Every thread gets its own acceptor on the same port (SO_REUSEPORT): the kernel spreads
// connections, and no accept crosses threads.
std::unique_ptr<tcp::acceptor> bind_acceptor(asio::io_context& io, const tcp::endpoint& endpoint,
                                             const std::string& name) {
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  beast::error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) {
    int one = 1;
    if (::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec = beast::error_code(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("listener " + name + ": cannot listen on " +
                             endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) +
                             ": " + ec.message());
  }
  return acceptor;
}

tcp::endpoint resolve_listen_address(const config::Endpoint& address, const std::string& name) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto results = resolver.resolve(address.host, std::to_string(address.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw std::runtime_error("listener " + name + ": cannot resolve " + address.host + ": " + ec.message());
  }
  return results.begin()->endpoint();
}

asio::awaitable<void> accept_loop(Worker& worker, ListenerContext& listener, tcp::acceptor& acceptor) {
  const std::uint32_t max_connections = listener.config->limits.max_connections;
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors or memory: keep the listener, back off briefly.
      log::warn("accept failed listener={} reason={}", listener.config->name, ec.message());
      asio::steady_timer pause(worker.io, std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (listener.connections.fetch_add(1, std::memory_order_relaxed) >= max_connections) {
      listener.connections.fetch_sub(1, std::memory_order_relaxed);
      log::warn("connection refused listener={} reason=max_connections", listener.config->name);
      continue;  // the socket closes as it goes out of scope
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(
        worker.io,
        [&worker, &listener, s = std::move(socket)]() mutable -> asio::awaitable<void> {
          co_await serve_https(worker, listener, std::move(s));
          listener.connections.fetch_sub(1, std::memory_order_relaxed);
        },
        asio::detached);
  }
}

}  // namespace

Gateway::Gateway(std::unique_ptr<State> state) : state_(std::move(state)) {}

Gateway::~Gateway() {
  state_->admin.reset();  // it reads the shared state: gone before anything else
  stop();
  wait();
  // Blocking work still queued finishes now, while the io_contexts it posts back to exist.
  state_->shared.blocking.reset();
}

std::unique_ptr<Gateway> Gateway::start(std::shared_ptr<const config::Config> config, audit::AuditLog* audit) {
  auto state = std::make_unique<State>(std::move(config));
  SharedState& shared = state->shared;
  shared.audit = audit;
  const config::Config& cfg = *shared.config;
  if (!cfg.token_profiles.empty()) {
    auto tokens = TokenService::create(cfg);
    if (!tokens) throw std::runtime_error("tokens: " + tokens.error().to_string());
    shared.tokens = std::move(tokens).value();
  }
  if (cfg.keyring) shared.envelopes = std::make_unique<crypto::EnvelopeCipher>(cfg.keyring);
  shared.services = ActionServices{shared.tokens.get(), shared.envelopes.get()};
  shared.blocking = std::make_unique<BlockingPool>(cfg.vault.workers, cfg.vault.queue_limit);

  for (const auto& l : cfg.listeners) {
    auto ctx = std::make_unique<ListenerContext>();
    ctx->config = &l;
    try {
      ctx->tls = make_server_context(l.tls);
    } catch (const TlsSetupError& e) {
      throw std::runtime_error("listener " + l.name + ": " + e.what());
    }
    shared.listeners.push_back(std::move(ctx));
  }
  for (const auto& p : cfg.processors) {
    ProcessorContext ctx;
    ctx.config = &p;
    try {
      ctx.tls = make_client_context(p.tls);
    } catch (const TlsSetupError& e) {
      throw std::runtime_error("processor " + p.name + ": " + e.what());
    }
    ctx.host_header = host_header(p);
    ctx.breaker = std::make_shared<CircuitBreaker>(p.breaker.failures, p.breaker.open_for);
    shared.processors.push_back(std::move(ctx));
  }
  for (const auto& route : cfg.routes) {
    auto it = std::find_if(cfg.processors.begin(), cfg.processors.end(),
                           [&](const config::Processor& p) { return p.name == route.processor; });
    shared.route_processor.push_back(static_cast<std::size_t>(it - cfg.processors.begin()));
  }

  const std::uint32_t threads = thread_count(cfg);
  for (std::uint32_t i = 0; i < threads; ++i) {
    auto worker = std::make_unique<Worker>(i, shared);
    for (const auto& p : shared.processors) {
      worker->pools.push_back(std::make_unique<UpstreamPool>(
          worker->io.get_executor(), p, share(p.config->pool.max_connections, threads),
          share(p.config->pool.max_waiting, threads)));
    }
    state->workers.push_back(std::move(worker));
  }

  // Bind: the first thread's acceptor settles the port (port 0 = any), the others join it.
  for (auto& listener : shared.listeners) {
    tcp::endpoint endpoint = resolve_listen_address(listener->config->address, listener->config->name);
    for (auto& worker : state->workers) {
      worker->acceptors.push_back(bind_acceptor(worker->io, endpoint, listener->config->name));
      if (endpoint.port() == 0) endpoint = worker->acceptors.back()->local_endpoint();
    }
    listener->bound = endpoint;
  }

  for (auto& worker : state->workers) {
    for (std::size_t i = 0; i < shared.listeners.size(); ++i) {
      asio::co_spawn(worker->io, accept_loop(*worker, *shared.listeners[i], *worker->acceptors[i]),
                     asio::detached);
    }
  }
  if (cfg.admin.enabled) {
    state->admin = AdminServer::start(cfg.admin.address, [&shared](std::string_view path) -> AdminAnswer {
      if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
      if (path == "/readyz") return readiness(shared);
      if (path == "/metrics") return {200, "text/plain; version=0.0.4; charset=utf-8", shared.metrics.render(gauges(shared))};
      return {404, "text/plain; charset=utf-8", "not found\n"};
    });
  }
  for (auto& worker : state->workers) {
    state->threads.emplace_back([w = worker.get()] {
      // A work guard is not needed: accept loops keep the context busy until stop().
      w->io.run();
    });
  }
  return std::unique_ptr<Gateway>(new Gateway(std::move(state)));
}

std::vector<std::pair<std::string, config::Endpoint>> Gateway::listening() const {
  std::vector<std::pair<std::string, config::Endpoint>> out;
  for (const auto& l : state_->shared.listeners) {
    out.emplace_back(l->config->name, config::Endpoint{l->bound.address().to_string(), l->bound.port()});
  }
  if (state_->admin) out.emplace_back("admin", state_->admin->bound());
  return out;
}

bool Gateway::drain(std::chrono::milliseconds timeout) {
  SharedState& shared = state_->shared;
  shared.draining.store(true);
  for (auto& worker : state_->workers) {
    asio::post(worker->io, [w = worker.get()] {
      beast::error_code ignored;
      for (auto& acceptor : w->acceptors) acceptor->close(ignored);
      // Copy: cancelling makes sessions leave the set.
      const auto waits = w->idle_waits;
      for (auto* cancel : waits) (*cancel)();
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto open_connections = [&] {
    std::uint32_t n = 0;
    for (const auto& l : shared.listeners) n += l->connections.load();
    return n;
  };
  while (open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return open_connections() == 0;
}

void Gateway::stop() {
  if (state_->stopping.exchange(true)) return;
  for (auto& worker : state_->workers) worker->io.stop();
}

void Gateway::wait() {
  for (auto& t : state_->threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace paygate::gateway
