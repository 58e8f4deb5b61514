#include "config/loader.h"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include <set>

#include "config/internal/sections.h"
#include "crypto/keyring.h"

namespace paygate::config {
namespace {

using namespace internal;

// The whole file, section by section (each reader in its own file: listeners.cpp,
// processors.cpp, routes.cpp, ...), then the checks that span sections (checks.cpp).
std::shared_ptr<Config> read_config(const YAML::Node& root, Context& ctx) {
  auto config = std::make_shared<Config>();
  MapReader r(root, "", ctx);
  r.count("threads", config->threads, 0, 256);
  r.duration("drain_timeout", config->drain_timeout, Duration{0}, Duration{3600 * 1000});

  r.sequence("listeners", Presence::required, [&](const YAML::Node& item, const std::string& p) {
    config->listeners.push_back(read_listener(item, p, ctx));
  });
  // Processors first, so that routes can be checked against their names.
  r.sequence("processors", Presence::required, [&](const YAML::Node& item, const std::string& p) {
    config->processors.push_back(read_processor(item, p, ctx));
  });
  std::set<std::string> processor_names;
  for (const auto& p : config->processors) processor_names.insert(p.name);
  r.sequence("routes", Presence::required, [&](const YAML::Node& item, const std::string& p) {
    config->routes.push_back(read_route(item, p, ctx, processor_names));
  });
  std::set<std::string> route_names;
  for (const auto& route : config->routes) route_names.insert(route.name);
  r.sequence("merchants", Presence::optional, [&](const YAML::Node& item, const std::string& p) {
    config->merchants.push_back(read_merchant(item, p, ctx, route_names));
  });
  if (auto keys = r.mapping("keys")) read_keys(*keys, *config, ctx);
  r.entries("token_profiles", Presence::optional,
            [&](const std::string& name, const YAML::Node& node, const std::string& path) {
              config->token_profiles.push_back(read_token_profile(name, node, path, ctx));
            });
  if (auto vault = r.mapping("vault")) config->vault = read_vault(*vault, ctx);
  if (auto audit = r.mapping("audit")) config->audit = read_audit(*audit, ctx);
  if (auto fraud = r.mapping("fraud")) config->fraud = read_fraud(*fraud, ctx);
  if (auto admin = r.mapping("admin")) config->admin = read_admin(*admin, ctx);
  if (auto logging = r.mapping("logging")) config->logging = read_logging(*logging, ctx);
  r.finish();
  if (!r.valid()) return config;
  check_config(*config, root, ctx);
  return config;
}

LoadResult parse(std::string_view yaml, const std::filesystem::path& file) {
  auto [config, errors] =
      internal::read_document<Config>(yaml, file, [&](const YAML::Node& root, Context& ctx) {
        auto c = read_config(root, ctx);
        c->source = file;
        return std::shared_ptr<const Config>(std::move(c));
      });
  return LoadResult{std::move(config), std::move(errors)};
}

}  // namespace

LoadResult load_from_string(std::string_view yaml, const std::filesystem::path& file) {
  return parse(yaml, std::filesystem::absolute(file).lexically_normal());
}

LoadResult load(const std::filesystem::path& file) { return internal::load_file<LoadResult>(file, parse); }

std::vector<std::string> warnings(const Config& config) {
  std::vector<std::string> out;
  if (config.vault.store == VaultConfig::Store::postgresql && config.vault.tls == tokens::StoreOptions::PgTls::unset) {
    out.push_back("vault.tls: not set: libpq's default (sslmode=prefer) encrypts only if the server offers it and "
                  "verifies no certificate; set mode: verify-full with ca, or mode: disable on loopback");
  }
  if (config.fraud.store == FraudConfig::Store::redis && !config.fraud.redis_tls &&
      !is_loopback_host(config.fraud.redis.host)) {
    out.push_back("fraud.state.redis.tls: not set for a Redis that is not on loopback: card fingerprints" +
                  std::string(config.fraud.redis_password.empty() ? "" : " and the Redis password") +
                  " cross the network in the clear; set tls with ca");
  }
  if (config.keyring) {
    std::string plain;
    for (const auto& k : config.keyring->keys()) {
      if (k.kek_id().empty()) plain += (plain.empty() ? "" : ", ") + k.id();
    }
    if (!plain.empty()) {
      out.push_back("keys: allow_plaintext_keys: key" + std::string(plain.find(',') == std::string::npos ? " " : "s ") +
                    plain + " on disk in the clear (development only; PCI DSS 3.6.1.2 wants every data key wrapped "
                    "under a KEK: paygate keys wrap ID --kek KEK_ID)");
    }
  }
  const bool iso_listener = std::any_of(config.listeners.begin(), config.listeners.end(),
                                       [](const Listener& l) { return l.kind == ListenerKind::iso8583; });
  for (const auto& m : config.merchants) {
    if (iso_listener && m.card_acceptor_ids.empty()) {
      out.push_back("merchants." + m.id + ".iso8583.card_acceptor_ids: not set: this merchant's ISO 8583 messages "
                    "may carry any DE 42 (card acceptor id); list the ids it owns");
    }
  }
  return out;
}

}  // namespace paygate::config
