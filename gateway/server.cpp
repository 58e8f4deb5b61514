#include "gateway/server.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "audit/audit_log.h"
#include "config/loader.h"
#include "crypto/keyring.h"
#include "gateway/service_notify.h"
#include "gateway/admin_server.h"
#include "gateway/admin_api.h"
#include "gateway/flow/screening.h"
#include "gateway/upstream/https_pool.h"
#include "gateway/upstream/iso_links.h"
#include "gateway/log.h"
#include "gateway/worker.h"

namespace paygate::gateway {

using namespace net;

struct Gateway::State {
  explicit State(std::vector<std::string> listener_names) : runtime(std::move(listener_names)) {}
  Runtime runtime;
  mutable std::mutex current_mutex;
  std::shared_ptr<const Snapshot> current;  // what new requests get; guarded by current_mutex
  std::mutex reload_mutex;                  // one reload at a time
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::unique_ptr<AdminServer> admin;  // declared last: stops first

  std::shared_ptr<const Snapshot> snapshot() const {
    std::lock_guard lock(current_mutex);
    return current;
  }
};

namespace {

Metrics::Gauges gauges(const Runtime& runtime, const Snapshot& snapshot) {
  Metrics::Gauges g;
  for (const auto& l : runtime.listeners) g.open_connections.push_back(l->connections.load());
  for (const auto& p : snapshot.processors) {
    const auto state = p.breaker->state();
    g.breaker_state.emplace_back(p.config->name, state == CircuitBreaker::State::closed      ? 0
                                                 : state == CircuitBreaker::State::half_open ? 1
                                                                                             : 2);
  }
  g.config_generation = snapshot.generation;
  g.certificates = &snapshot.certificates;
  if (runtime.screener) {
    g.fraud_keys = runtime.screener->tracked_keys();
    g.fraud_evictions = runtime.screener->evictions();
    g.fraud_state_errors = runtime.screener->state_errors();
  }
  for (const auto& p : snapshot.processors) {
    if (p.config->iso) g.iso_processors.insert(p.config->name);
  }
  if (runtime.audit_log) {
    const auto stats = runtime.audit_log->stats();
    g.audit = true;
    g.audit_queue_depth = stats.queued;
    g.audit_write_failures = stats.write_failures;
    g.audit_healthy = stats.healthy;
  }
  if (runtime.blocking) {
    g.vault = true;
    g.vault_queue_depth = runtime.blocking->queued();
  }
  return g;
}

// /readyz: ready to take payments — not draining, the vault answers (when there is one),
// and at least one processor's breaker is not open. The reasons are fixed words.
AdminAnswer readiness(const Runtime& runtime, const Snapshot& snapshot) {
  std::vector<std::string> problems;
  if (runtime.draining.load()) problems.push_back("draining");
  if (runtime.audit && !runtime.audit->healthy()) problems.push_back("audit_log_failing");
  if (snapshot.tokens && snapshot.tokens->vault() && !snapshot.tokens->vault()->store().count()) {
    problems.push_back("vault_unreachable");
  }
  bool processor_up = false;
  for (const auto& p : snapshot.processors) processor_up = processor_up || p.breaker->state() != CircuitBreaker::State::open;
  if (!processor_up) problems.push_back("every_processor_breaker_open");
  std::string body = "{\"ready\":" + std::string(problems.empty() ? "true" : "false") + ",\"problems\":[";
  for (std::size_t i = 0; i < problems.size(); ++i) body += (i ? ",\"" : "\"") + problems[i] + "\"";
  body += "]}\n";
  return {problems.empty() ? 200u : 503u, "application/json", body};
}

std::string json_string(std::string_view text) { return boost::json::serialize(boost::json::value(text)); }

AdminAnswer reload_answer(const Gateway::ReloadOutcome& outcome) {
  std::string body = "{\"reloaded\":" + std::string(outcome.ok ? "true" : "false") +
                     ",\"generation\":" + std::to_string(outcome.generation) +
                     ",\"key_changes\":" + std::to_string(outcome.key_changes) + ",\"errors\":[";
  for (std::size_t i = 0; i < outcome.errors.size(); ++i) body += (i ? "," : "") + json_string(outcome.errors[i]);
  body += "]}\n";
  return {outcome.ok ? 200u : 422u, "application/json", body};
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
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors or memory: keep the listener, back off briefly.
      log::warn("accept failed", {{"listener", listener.name}, {"reason", ec.message()}});
      asio::steady_timer pause(worker.io, std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    const config::ListenerLimits& limits = worker.current->shared->config->listeners[listener.index].limits;
    if (listener.connections.fetch_add(1, std::memory_order_relaxed) >= limits.max_connections) {
      listener.connections.fetch_sub(1, std::memory_order_relaxed);
      log::warn("connection refused", {{"listener", listener.name}, {"reason", "max_connections"}});
      continue;  // the socket closes as it goes out of scope
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (limits.send_buffer > 0) {
      socket.set_option(asio::socket_base::send_buffer_size(static_cast<int>(limits.send_buffer)), ignored);
    }
    asio::co_spawn(
        worker.io,
        [&worker, &listener, s = std::move(socket)]() mutable -> asio::awaitable<void> {
          if (listener.kind == config::ListenerKind::iso8583) {
            co_await serve_iso8583(worker, listener, std::move(s));
          } else {
            co_await serve_https(worker, listener, std::move(s));
          }
          listener.connections.fetch_sub(1, std::memory_order_relaxed);
        },
        asio::detached);
  }
}

// Hands `next` to every network thread and waits (bounded) until each has switched, so
// that when a reload answers, every new request is served by the new snapshot.
void install_on_workers(std::vector<std::unique_ptr<Worker>>& workers, const std::shared_ptr<const Snapshot>& next) {
  struct Pending {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t left = 0;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = workers.size();
  for (auto& worker : workers) {
    asio::post(worker->io, [w = worker.get(), next, pending] {
      w->current = make_thread_snapshot(*w, next);
      std::lock_guard lock(pending->mutex);
      --pending->left;
      pending->done.notify_all();
    });
  }
  std::unique_lock lock(pending->mutex);
  pending->done.wait_for(lock, std::chrono::seconds(5), [&] { return pending->left == 0; });
}

void audit_reload(audit::AuditLog* log, const std::string& actor, const Gateway::ReloadOutcome& outcome,
                  const std::vector<KeyChange>& changes) {
  if (!log) return;
  for (const auto& c : changes) {
    audit::AuditEvent event("key_state");
    event.with("key_id", c.key_id).with("use", c.use).with("change", c.change).with("state", c.state)
        .with("kcv", c.kcv).with("kek_id", c.kek_id.empty() ? boost::json::value(nullptr) : boost::json::value(c.kek_id))
        .with("actor", actor);
    if (auto s = log->record(std::move(event)); !s.ok()) log::error("audit record refused", {{"record", "key_state"}, {"reason", s.error().reason}});
  }
  audit::AuditEvent event("reload");
  event.with("result", outcome.ok ? "success" : "refused")
      .with("actor", actor)
      .with("generation", static_cast<std::int64_t>(outcome.generation))
      .with("key_changes", static_cast<std::int64_t>(outcome.key_changes));
  boost::json::array errors;
  for (const auto& e : outcome.errors) errors.emplace_back(e);
  event.with("errors", std::move(errors));
  if (auto s = log->record(std::move(event)); !s.ok()) log::error("audit record refused", {{"record", "reload"}, {"reason", s.error().reason}});
}

}  // namespace

std::shared_ptr<ThreadSnapshot> make_thread_snapshot(Worker& worker, std::shared_ptr<const Snapshot> snapshot) {
  auto view = std::make_shared<ThreadSnapshot>();
  view->shared = std::move(snapshot);
  const Snapshot& s = *view->shared;
  for (std::size_t i = 0; i < s.processors.size(); ++i) {
    const ProcessorContext& p = s.processors[i];
    std::unique_ptr<Upstream> upstream;
    if (p.config->iso) {
      upstream = std::make_unique<IsoLinks>(worker.io.get_executor(), p, share(p.config->iso->links, worker.threads),
                                            *s.processor_metrics[i]);
    } else {
      upstream = std::make_unique<HttpsPool>(worker.io.get_executor(), p,
                                             share(p.config->pool.max_connections, worker.threads),
                                             share(p.config->pool.max_waiting, worker.threads));
    }
    view->clients.push_back(
        std::make_unique<ProcessorClient>(p, std::move(upstream), worker.runtime.metrics, *s.processor_metrics[i]));
  }
  return view;
}

Gateway::Gateway(std::unique_ptr<State> state) : state_(std::move(state)) {}

Gateway::~Gateway() {
  state_->admin.reset();  // it reads the runtime and the snapshot: gone before anything else
  stop();
  wait();
  // Blocking work still queued finishes now, while the io_contexts it posts back to exist.
  state_->runtime.blocking.reset();
}

std::unique_ptr<Gateway> Gateway::start(std::shared_ptr<const config::Config> config, audit::AuditLog* audit,
                                        const std::function<void()>& before_serving) {
  std::vector<std::string> listener_names;
  for (const auto& l : config->listeners) listener_names.push_back(l.name);
  auto state = std::make_unique<State>(std::move(listener_names));
  Runtime& runtime = state->runtime;
  runtime.audit_log = audit;
  if (audit && audit->unclean_start()) {
    log::warn("audit unclean predecessor",
              {{"detail", "the previous run did not end with its stop record (a crash, or its newest audit records "
                          "or files were removed while stopped); run paygate audit verify"}});
  }
  if (audit) runtime.audit = std::make_unique<AuditLogSink>(*audit);
  const config::Config& cfg = *config;
  runtime.blocking = std::make_unique<BlockingPool>(cfg.vault.workers, cfg.vault.queue_limit);
  if (!cfg.fraud.profiles.empty()) runtime.screener = make_screener(cfg.fraud);
  state->current = build_snapshot(config, 1, runtime.metrics, nullptr);
  for (std::size_t i = 0; i < cfg.listeners.size(); ++i) {
    auto listener = std::make_unique<ListenerContext>();
    listener->name = cfg.listeners[i].name;
    listener->index = i;
    listener->kind = cfg.listeners[i].kind;
    runtime.listeners.push_back(std::move(listener));
  }

  const std::uint32_t threads = thread_count(cfg);
  for (std::uint32_t i = 0; i < threads; ++i) {
    auto worker = std::make_unique<Worker>(i, threads, runtime);
    worker->current = make_thread_snapshot(*worker, state->current);  // before its thread runs
    state->workers.push_back(std::move(worker));
  }

  // Bind: the first thread's acceptor settles the port (port 0 = any), the others join it.
  for (auto& listener : runtime.listeners) {
    const auto& address = cfg.listeners[listener->index].address;
    tcp::endpoint endpoint = resolve_listen_address(address, listener->name);
    for (auto& worker : state->workers) {
      worker->acceptors.push_back(bind_acceptor(worker->io, endpoint, listener->name));
      if (endpoint.port() == 0) endpoint = worker->acceptors.back()->local_endpoint();
    }
    listener->bound = endpoint;
  }

  for (auto& worker : state->workers) {
    for (std::size_t i = 0; i < runtime.listeners.size(); ++i) {
      asio::co_spawn(worker->io, accept_loop(*worker, *runtime.listeners[i], *worker->acceptors[i]),
                     asio::detached);
    }
  }
  // The Gateway object exists only at the end of start(); until then a reload is refused.
  auto gateway_ptr = std::make_shared<std::atomic<Gateway*>>(nullptr);
  if (cfg.admin.enabled) {
    State* s = state.get();
    AdminApiHooks hooks;
    hooks.snapshot = [s] { return s->snapshot(); };
    hooks.readiness = [s](const Snapshot& snapshot) { return readiness(s->runtime, snapshot); };
    hooks.metrics = [s](const Snapshot& snapshot) {
      return AdminAnswer{200, "text/plain; version=0.0.4; charset=utf-8",
                         s->runtime.metrics.render(gauges(s->runtime, snapshot))};
    };
    hooks.reload = [gateway_ptr](const std::string& administrator) {
      if (gateway_ptr->load() == nullptr) return AdminAnswer{503, "text/plain; charset=utf-8", "starting\n"};
      return reload_answer(gateway_ptr->load()->reload("admin:" + (administrator.empty() ? "loopback" : administrator)));
    };
    hooks.screener = s->runtime.screener.get();
    hooks.audit_log = s->runtime.audit_log;
    auto api = std::make_shared<AdminApi>(std::move(hooks));
    state->admin = AdminServer::start(cfg.admin, [api](const AdminRequest& request) { return api->handle(request); });
  }
  if (before_serving) before_serving();
  for (auto& worker : state->workers) {
    state->threads.emplace_back([w = worker.get()] {
      // A work guard is not needed: accept loops keep the context busy until stop().
      w->io.run();
    });
  }
  auto gateway = std::unique_ptr<Gateway>(new Gateway(std::move(state)));
  gateway_ptr->store(gateway.get());
  return gateway;
}

Gateway::ReloadOutcome Gateway::reload(const std::string& actor) {
  State& s = *state_;
  std::lock_guard reload_lock(s.reload_mutex);
  service::reloading();
  const auto running = s.snapshot();
  ReloadOutcome outcome;
  outcome.generation = running->generation;
  std::vector<KeyChange> changes;
  std::shared_ptr<const Snapshot> next;

  auto loaded = config::load(running->config->source);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) outcome.errors.push_back(e.to_string());
    if (std::any_of(loaded.errors.begin(), loaded.errors.end(),
                    [](const config::ConfigError& e) { return e.kind == config::ConfigError::Kind::unavailable; })) {
      s.runtime.metrics.kek_unavailable();
    }
  } else {
    outcome.errors = restart_only_changes(*running->config, *loaded.config);
    for (const auto& id : rekeyed_ids(running->config->keyring.get(), loaded.config->keyring.get())) {
      outcome.errors.push_back("keys: key " + id +
                               " has different material, use or algorithm than the running key of that id "
                               "(an id names one key for good: add a new id instead)");
    }
    if (outcome.errors.empty()) {
      try {
        next = build_snapshot(loaded.config, running->generation + 1, s.runtime.metrics, running.get());
        // The admin listener's certificates, client CA and CRL are re-read like the
        // merchants' (its administrators come with the snapshot); a context that cannot
        // be built refuses the whole reload.
        if (s.admin) s.admin->reload_tls(next->config->admin);
      } catch (const std::exception& e) {
        outcome.errors.push_back(e.what());
        next.reset();
      }
    }
  }

  if (!next) {
    s.runtime.metrics.reload(false);
    log::error("reload refused", {{"problems", outcome.errors.size()}, {"generation", running->generation}});
    for (const auto& e : outcome.errors) log::error("reload refused", {{"problem", e}});
    audit_reload(s.runtime.audit_log, actor, outcome, changes);
    service::ready(fmt::format("reload refused ({} problem{}): still serving generation {}", outcome.errors.size(),
                               outcome.errors.size() == 1 ? "" : "s", running->generation));
    return outcome;
  }

  changes = key_changes(running->config->keyring.get(), next->config->keyring.get());
  {
    std::lock_guard lock(s.current_mutex);
    s.current = next;
  }
  if (!s.stopping.load()) install_on_workers(s.workers, next);
  if (s.runtime.audit_log && next->config->keyring) s.runtime.audit_log->set_keyring(next->config->keyring);
  outcome.ok = true;
  outcome.generation = next->generation;
  outcome.key_changes = changes.size();
  s.runtime.metrics.reload(true);
  for (const auto& c : changes) log::info("key changed", {{"key_id", c.key_id}, {"use", c.use}, {"change", c.change}});
  log::info("configuration reloaded", {{"generation", next->generation}, {"key_changes", changes.size()}});
  audit_reload(s.runtime.audit_log, actor, outcome, changes);
  service::ready(fmt::format("reloaded: serving generation {}", next->generation));
  return outcome;
}

std::shared_ptr<const config::Config> Gateway::config() const { return state_->snapshot()->config; }

std::vector<std::pair<std::string, config::Endpoint>> Gateway::listening() const {
  std::vector<std::pair<std::string, config::Endpoint>> out;
  for (const auto& l : state_->runtime.listeners) {
    out.emplace_back(l->name, config::Endpoint{l->bound.address().to_string(), l->bound.port()});
  }
  if (state_->admin) out.emplace_back("admin", state_->admin->bound());
  return out;
}

bool Gateway::responsive(std::chrono::milliseconds timeout) const {
  auto answered = std::make_shared<std::atomic<std::size_t>>(0);
  for (auto& worker : state_->workers) asio::post(worker->io, [answered] { answered->fetch_add(1); });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (answered->load() < state_->workers.size()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

bool Gateway::drain(std::chrono::milliseconds timeout) {
  Runtime& runtime = state_->runtime;
  runtime.draining.store(true);
  service::stopping();
  for (auto& worker : state_->workers) {
    asio::post(worker->io, [w = worker.get()] {
      beast::error_code ignored;
      for (auto& acceptor : w->acceptors) acceptor->close(ignored);
      // A session leaves the list when its wait ends: step on before cancelling.
      for (auto it = w->idle_waits.begin(); it != w->idle_waits.end();) (it++)->cancel();
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto open_connections = [&] {
    std::uint32_t n = 0;
    for (const auto& l : runtime.listeners) n += l->connections.load();
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
