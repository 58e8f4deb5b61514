#include "gateway/snapshot.h"

#include <algorithm>
#include <stdexcept>

#include "crypto/keyring.h"
#include "net/certificate_expiry.h"
#include "crypto/secret.h"
#include "net/tls_context.h"
#include "gateway/token_setup.h"

namespace paygate::gateway {
namespace {

std::string host_header(const config::Processor& p) {
  std::string host = p.tls.server_name;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  if (p.endpoint.port != 443) host += ":" + std::to_string(p.endpoint.port);
  return host;
}

std::shared_ptr<CircuitBreaker> breaker_for(const config::Processor& p, const Snapshot* previous) {
  if (previous) {
    for (const auto& old : previous->processors) {
      if (old.config->name == p.name && old.config->breaker.failures == p.breaker.failures &&
          old.config->breaker.open_for == p.breaker.open_for) {
        return old.breaker;
      }
    }
  }
  return std::make_shared<CircuitBreaker>(p.breaker.failures, p.breaker.open_for);
}

const crypto::Key* find_key(const crypto::KeyRing* ring, const std::string& id) {
  if (!ring) return nullptr;
  for (const auto& k : ring->keys()) {
    if (k.id() == id) return &k;
  }
  return nullptr;
}

bool same_endpoint(const config::Endpoint& a, const config::Endpoint& b) { return a.host == b.host && a.port == b.port; }

}  // namespace

std::shared_ptr<const Snapshot> build_snapshot(std::shared_ptr<const config::Config> config, std::uint64_t generation,
                                               Metrics& metrics, const Snapshot* previous) {
  auto snapshot = build_data_plane(std::move(config), generation, metrics, previous);
  Snapshot& s = *snapshot;
  for (const auto& l : s.config->listeners) {
    try {
      s.listener_tls.push_back(net::make_server_context(l.tls));
    } catch (const net::TlsSetupError& e) {
      throw std::runtime_error("listener " + l.name + ": " + e.what());
    }
  }
  for (auto& ctx : s.processors) {
    try {
      ctx.tls = net::make_client_context(ctx.config->tls);
    } catch (const net::TlsSetupError& e) {
      throw std::runtime_error("processor " + ctx.config->name + ": " + e.what());
    }
  }
  // Every certificate this snapshot serves or trusts, for the expiry metric and alert.
  const auto expiry = [&](std::string kind, const std::string& name, const std::filesystem::path& pem) {
    if (auto not_after = net::certificate_not_after(pem)) s.certificates.push_back({std::move(kind), name, *not_after});
  };
  for (const auto& l : s.config->listeners) {
    expiry("listener", l.name, l.tls.certificate);
    if (l.tls.client_ca) expiry("listener_client_ca", l.name, *l.tls.client_ca);
  }
  if (s.config->admin.tls) {
    expiry("admin", "admin", s.config->admin.tls->certificate);
    if (s.config->admin.tls->client_ca) expiry("admin_client_ca", "admin", *s.config->admin.tls->client_ca);
  }
  for (const auto& p : s.config->processors) {
    expiry("processor_ca", p.name, p.tls.ca);
    if (p.tls.certificate) expiry("processor_client", p.name, *p.tls.certificate);
  }
  return snapshot;
}

std::shared_ptr<Snapshot> build_data_plane(std::shared_ptr<const config::Config> config, std::uint64_t generation,
                                           Metrics& metrics, const Snapshot* previous) {
  auto snapshot = std::make_shared<Snapshot>(std::move(config));
  Snapshot& s = *snapshot;
  const config::Config& cfg = *s.config;
  s.generation = generation;
  if (!cfg.token_profiles.empty() || cfg.vault.store != config::VaultConfig::Store::none) {
    auto tokens = open_token_service(cfg);
    if (!tokens) throw std::runtime_error("tokens: " + tokens.error().to_string());
    s.tokens = std::move(tokens.value().service);
    s.records = std::move(tokens.value().records);
  }
  for (const auto& r : cfg.routes) {
    if (r.message && *r.message != protocol::MessageKind::authorization && *r.message != protocol::MessageKind::token_only)
      s.follow_up_routes = true;
  }
  if (cfg.keyring) s.envelopes = std::make_unique<crypto::EnvelopeCipher>(cfg.keyring);
  if (cfg.keyring && cfg.keyring->primary(crypto::KeyUse::fingerprint)) {
    s.fingerprints = std::make_unique<crypto::Fingerprinter>(cfg.keyring);
  }
  s.services = ActionServices{s.tokens.get(), s.envelopes.get()};
  for (const auto& profile : cfg.fraud.profiles) {
    std::vector<std::string> names;
    for (const auto& rule : profile.rules) names.push_back(rule.name);
    FraudCounters handles;
    handles.counters = &metrics.fraud_profile(profile.name, names);
    for (const auto& name : names) handles.rules.push_back(handles.counters->rules.at(name).get());
    s.fraud_metrics.push_back(std::move(handles));
  }

  for (const auto& p : cfg.processors) {
    ProcessorContext ctx;
    ctx.config = &p;
    ctx.host_header = host_header(p);
    ctx.breaker = breaker_for(p, previous);
    s.processors.push_back(std::move(ctx));
    s.processor_metrics.push_back(&metrics.processor(p.name));
    if (p.jwe.public_key || p.jwe.private_key) {
      const std::string id = "jwe:" + p.name;
      s.key_use.emplace(id, &metrics.key_use(id, "jwe"));
    }
  }
  for (const auto& route : cfg.routes) {
    auto it = std::find_if(cfg.processors.begin(), cfg.processors.end(),
                           [&](const config::Processor& p) { return p.name == route.processor; });
    s.route_processor.push_back(static_cast<std::size_t>(it - cfg.processors.begin()));
    s.route_metrics.push_back(&metrics.route(route.name));
  }
  if (cfg.keyring) {
    for (const auto& k : cfg.keyring->keys())
      s.key_use.emplace(k.id(), &metrics.key_use(k.id(), crypto::to_string(k.use())));
  }
  return snapshot;
}

std::vector<std::string> restart_only_changes(const config::Config& running, const config::Config& next) {
  std::vector<std::string> out;
  if (running.listeners.size() != next.listeners.size()) {
    out.push_back("listeners: the set of listeners changed (add or remove listeners with a restart)");
  } else {
    for (std::size_t i = 0; i < running.listeners.size(); ++i) {
      const auto& a = running.listeners[i];
      const auto& b = next.listeners[i];
      const std::string path = "listeners[" + std::to_string(i) + "]";
      if (a.name != b.name) out.push_back(path + ".name: changed (needs a restart)");
      if (a.kind != b.kind) out.push_back(path + ".kind: changed (needs a restart)");
      if (!same_endpoint(a.address, b.address)) out.push_back(path + ".address: changed (needs a restart)");
    }
  }
  if (running.threads != next.threads) out.push_back("threads: changed (needs a restart)");
  if (running.admin.enabled != next.admin.enabled || !same_endpoint(running.admin.address, next.admin.address) ||
      running.admin.tls.has_value() != next.admin.tls.has_value()) {
    out.push_back("admin: changed (needs a restart)");
  }
  const auto& a = running.audit;
  const auto& b = next.audit;
  if (a.enabled != b.enabled || a.dir != b.dir || a.fsync != b.fsync || a.batch_interval != b.batch_interval ||
      a.queue_limit != b.queue_limit || a.on_full != b.on_full || a.max_file_size != b.max_file_size ||
      a.rotate_interval != b.rotate_interval || a.checkpoint_every != b.checkpoint_every) {
    out.push_back("audit: changed (needs a restart)");
  }
  if (running.fraud.max_keys != next.fraud.max_keys || running.fraud.store != next.fraud.store ||
      !same_endpoint(running.fraud.redis, next.fraud.redis) || running.fraud.redis_prefix != next.fraud.redis_prefix ||
      running.fraud.redis_timeout != next.fraud.redis_timeout || running.fraud.fail_closed != next.fraud.fail_closed ||
      running.fraud.redis_username != next.fraud.redis_username ||
      running.fraud.redis_password != next.fraud.redis_password || running.fraud.redis_tls != next.fraud.redis_tls) {
    out.push_back("fraud.max_keys / fraud.state: changed (needs a restart)");
  }
  if (running.vault.workers != next.vault.workers || running.vault.queue_limit != next.vault.queue_limit) {
    out.push_back("vault.workers / vault.queue_limit: changed (needs a restart)");
  }
  if (running.logging.format != next.logging.format || running.logging.level != next.logging.level ||
      running.logging.access_log != next.logging.access_log) {
    out.push_back("logging: changed (needs a restart)");
  }
  return out;
}

std::vector<KeyChange> key_changes(const crypto::KeyRing* before, const crypto::KeyRing* after) {
  using crypto::KeyState;
  std::vector<KeyChange> out;
  if (after) {
    for (const auto& k : after->keys()) {
      const std::string use(crypto::to_string(k.use()));
      const std::string state(crypto::to_string(k.state()));
      const crypto::Key* old = find_key(before, k.id());
      if (!old) {
        out.push_back({k.id(), use, "added", state, k.check_value(), k.kek_id()});
        continue;
      }
      if (old->state() == k.state()) continue;
      std::string change;
      if (k.state() == KeyState::primary) change = "promoted";
      else if (k.state() == KeyState::retired) change = "retired";
      else if (old->state() == KeyState::primary) change = "demoted";
      else change = "reactivated";  // retired -> active
      out.push_back({k.id(), use, change, state, k.check_value(), k.kek_id()});
    }
  }
  if (before) {
    for (const auto& k : before->keys()) {
      if (!find_key(after, k.id()))
        out.push_back({k.id(), std::string(crypto::to_string(k.use())), "removed", "", k.check_value(), k.kek_id()});
    }
  }
  return out;
}

std::vector<std::string> rekeyed_ids(const crypto::KeyRing* before, const crypto::KeyRing* after) {
  std::vector<std::string> out;
  if (!before || !after) return out;
  for (const auto& k : after->keys()) {
    const crypto::Key* old = find_key(before, k.id());
    if (!old) continue;
    if (old->use() != k.use() || old->algorithm() != k.algorithm() ||
        !crypto::constant_time_equal(crypto::reveal_secret(old->material()), crypto::reveal_secret(k.material()))) {
      out.push_back(k.id());
    }
  }
  return out;
}

}  // namespace paygate::gateway
