// The checks that span sections: unique names and credentials, and that every route action
// and token profile has what performs it (keys, processors' JWE keys, a vault).
#include "config/internal/sections.h"

#include <array>
#include <map>
#include <set>

#include "crypto/keyring.h"

namespace paygate::config::internal {
namespace {

// Reports the second and later items whose `key(item)` repeats an earlier one.
template <class T, class Key>
void require_unique(const std::vector<T>& items, const YAML::Node& seq, const std::string& seq_path,
                    const std::string& what, Key key, Context& ctx) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string k = key(items[i]);
    if (k.empty()) continue;
    if (!seen.insert(k).second) {
      ctx.diagnostics.add(seq[i].Mark(), seq_path + "[" + std::to_string(i) + "]",
                          "duplicate " + what + " " + k);
    }
  }
}

void require_unique_credentials(const Config& config, const YAML::Node& seq, Context& ctx) {
  std::map<std::string, std::string> owner;
  static constexpr const char* kinds[] = {"san_uri", "subject_cn", "sha256"};
  for (std::size_t i = 0; i < config.merchants.size(); ++i) {
    const Merchant& m = config.merchants[i];
    std::vector<std::string> credentials;
    for (const auto& c : m.certificates)
      credentials.push_back(std::string(kinds[static_cast<int>(c.kind)]) + " " + c.value);
    for (const auto& k : m.api_key_sha256) credentials.push_back("api key " + k.substr(0, 8) + "…");
    for (const auto& c : credentials) {
      auto [it, inserted] = owner.emplace(c, m.id);
      if (!inserted && it->second != m.id) {
        ctx.diagnostics.add(seq[i].Mark(), "merchants[" + std::to_string(i) + "]",
                            "credential " + c + " already identifies merchant " + it->second);
      }
    }
  }
}

// Each route's actions need what performs them: a token profile for token actions, the
// processor's JWE keys for JWE actions, a primary data key for envelopes.
// Whether the keyring has no primary key for `use`. A keyring that failed to load has its
// own errors (the missing file, the wrong PIN): checks that need its keys say nothing
// more, so the real problem comes first and alone.
bool lacks_primary(const Config& config, crypto::KeyUse use) {
  if (!config.keyring) return config.keyring_file.empty();
  return config.keyring->primary(use) == nullptr;
}

void check_route_actions(const Config& config, const YAML::Node& root, Context& ctx) {
  const YAML::Node routes = root["routes"];
  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    const Route& route = config.routes[i];
    const std::string path = "routes[" + std::to_string(i) + "]";
    auto report = [&](const std::string& message) { ctx.diagnostics.add(routes[i].Mark(), path, message); };
    // The actions the route uses, each once, in table order.
    std::array<bool, protocol::field_action_count> used{};
    for (const auto* policy : {&route.iso_request_policy, &route.iso_response_policy}) {
      for (const auto& rule : *policy) {
        for (auto a : rule.actions) used[static_cast<std::size_t>(a)] = true;
      }
    }
    for (const auto* policy : {&route.request_policy, &route.response_policy}) {
      for (const auto& rule : *policy) {
        for (auto a : rule.actions) used[static_cast<std::size_t>(a)] = true;
      }
    }
    const Processor* processor = nullptr;
    for (const auto& p : config.processors) {
      if (p.name == route.processor) processor = &p;
    }
    if (!route.token_profile.empty() && !config.token_profile(route.token_profile)) {
      report("no token profile named \"" + route.token_profile + "\"");
    }
    bool token_actions_reported = false;
    for (const auto& a : protocol::field_actions()) {
      if (!used[static_cast<std::size_t>(a.action)]) continue;
      const std::string name(a.name);
      switch (a.needs) {
        case protocol::ActionNeeds::nothing: break;
        case protocol::ActionNeeds::token_profile:
          if (route.token_profile.empty() && !token_actions_reported) report("token actions need token_profile");
          token_actions_reported = true;
          break;
        case protocol::ActionNeeds::processor_public_key:
          if (processor && !processor->jwe.public_key) report(name + " needs processors[" + processor->name + "].jwe.public_key");
          break;
        case protocol::ActionNeeds::processor_private_key:
          if (processor && !processor->jwe.private_key) report(name + " needs processors[" + processor->name + "].jwe.private_key");
          break;
        case protocol::ActionNeeds::data_key:
          if (lacks_primary(config, crypto::KeyUse::data)) report(name + " needs a primary data key in the keyring");
          break;
      }
    }
    if (!route.fraud_profile.empty() && !config.fraud.profile(route.fraud_profile)) {
      report("no fraud profile named \"" + route.fraud_profile + "\" (fraud.profiles)");
    }
    if (!route.fraud_profile.empty() && !route.is_iso8583() && !route.message) {
      report("fraud screening needs a message kind (the amount and card come from the validated message)");
    }
    if (!route.fraud_profile.empty() && lacks_primary(config, crypto::KeyUse::fingerprint)) {
      report("fraud screening needs a primary fingerprint key (cards are keyed by their fingerprint)");
    }
    if (processor && route.is_iso8583() && !processor->iso) {
      report("an ISO 8583 route (match.mti) needs an ISO 8583 processor (tls://, iso8583 section)");
    }
    if (processor && !route.is_iso8583() && processor->iso) {
      report("processor " + processor->name + " speaks ISO 8583: routes to it match on mti");
    }
  }
}

// Token profiles need what makes their tokens: a vault store and data and fingerprint
// keys for vault profiles, a primary fpe key for fpe profiles.
void check_tokens(const Config& config, const YAML::Node& root, Context& ctx) {
  bool needs_vault = false;
  bool needs_fpe = false;
  for (const auto& p : config.token_profiles)
    (p.kind == tokens::TokenKind::vault ? needs_vault : needs_fpe) = true;
  const YAML::Node profiles = root["token_profiles"];
  auto report = [&](const std::string& message) {
    ctx.diagnostics.add(profiles.Mark(), "token_profiles", message);
  };
  if (needs_vault && config.vault.store == VaultConfig::Store::none)
    report("vault profiles need a vault section");
  if ((needs_vault || needs_fpe) && config.keyring_file.empty()) report("token profiles need keys.keyring");
  if (!config.keyring) return;
  if (needs_vault && (!config.keyring->primary(crypto::KeyUse::data) ||
                      !config.keyring->primary(crypto::KeyUse::fingerprint))) {
    report("vault profiles need primary data and fingerprint keys in the keyring");
  }
  if (needs_fpe && !config.keyring->primary(crypto::KeyUse::fpe))
    report("fpe profiles need a primary fpe key in the keyring");
}

}  // namespace

void check_config(const Config& config, const YAML::Node& root, Context& ctx) {
  if (root["listeners"].IsSequence()) {
    if (config.listeners.empty()) {
      ctx.diagnostics.add(root["listeners"].Mark(), "listeners", "at least one listener is needed");
    }
    require_unique(
        config.listeners, root["listeners"], "listeners", "listener name",
        [](const Listener& l) { return l.name; }, ctx);
    require_unique(
        config.listeners, root["listeners"], "listeners", "listener address",
        [](const Listener& l) { return l.address.port == 0 ? "" : l.address.to_string(); }, ctx);
  }
  if (root["processors"].IsSequence()) {
    require_unique(
        config.processors, root["processors"], "processors", "processor name",
        [](const Processor& p) { return p.name; }, ctx);
  }
  if (root["routes"].IsSequence()) {
    require_unique(
        config.routes, root["routes"], "routes", "route name", [](const Route& route) { return route.name; },
        ctx);
    require_unique(
        config.routes, root["routes"], "routes", "route for",
        [](const Route& route) {
          if (route.is_iso8583())
            return "MTI " + route.match.mti + " processing code " + route.match.processing_code;
          return route.match.method.empty() ? "" : route.match.method + " " + route.match.path;
        },
        ctx);
  }
  if (root["merchants"].IsSequence()) {
    require_unique(
        config.merchants, root["merchants"], "merchants", "merchant id",
        [](const Merchant& m) { return m.id; }, ctx);
    // One credential, one merchant: a certificate or key that two merchants claim would
    // make identity depend on the order of the file.
    require_unique_credentials(config, root["merchants"], ctx);
  }
  check_tokens(config, root, ctx);
  check_route_actions(config, root, ctx);
  if (config.audit.enabled && config.keyring && !config.keyring->primary(crypto::KeyUse::audit)) {
    ctx.diagnostics.add(root["audit"].Mark(), "audit",
                        "the audit log needs a primary audit key in the keyring");
  }
  if (config.audit.enabled && config.keyring_file.empty()) {
    ctx.diagnostics.add(root["audit"].Mark(), "audit",
                        "the audit log needs keys.keyring (its primary audit key)");
  }
}

}  // namespace paygate::config::internal
