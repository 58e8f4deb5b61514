// Internal to config/: one reader per section of the main file, each in its own .cpp
// (listeners.cpp, processors.cpp, routes.cpp, merchants.cpp, keys.cpp, tokens.cpp,
// audit.cpp, fraud.cpp, admin.cpp, logging.cpp), and the checks that span sections
// (checks.cpp). Every reader reports its problems in the context and returns what it
// could read; loader.cpp puts the sections together.
#pragma once

#include <set>
#include <string>

#include "config/config.h"
#include "config/internal/yaml_reader.h"
#include "config/units.h"

namespace paygate::config::internal {

inline constexpr Duration one_ms{1};
inline constexpr Duration one_day{24 * 60 * 60 * 1000};

ServerTls read_server_tls(const YAML::Node& node, const std::string& path, Context& ctx);
Listener read_listener(const YAML::Node& node, const std::string& path, Context& ctx);
// A client TLS section (ca, server_name, certificate + private_key): processors and Redis.
ClientTls read_client_tls(const YAML::Node& node, const std::string& path, Context& ctx,
                          const std::string& default_server_name);
Processor read_processor(const YAML::Node& node, const std::string& path, Context& ctx);
// `processors`: the names routes may refer to.
Route read_route(const YAML::Node& node, const std::string& path, Context& ctx,
                 const std::set<std::string>& processors);
// `routes`: the names a merchant may be allowed.
Merchant read_merchant(const YAML::Node& node, const std::string& path, Context& ctx,
                       const std::set<std::string>& routes);
// Sets config.keyring_file and config.keyring.
void read_keys(const YAML::Node& node, Config& config, Context& ctx);
tokens::TokenProfile read_token_profile(const std::string& name, const YAML::Node& node,
                                        const std::string& path, Context& ctx);
VaultConfig read_vault(const YAML::Node& node, Context& ctx);
AuditConfig read_audit(const YAML::Node& node, Context& ctx);
FraudConfig read_fraud(const YAML::Node& node, Context& ctx);
Admin read_admin(const YAML::Node& node, Context& ctx);
Logging read_logging(const YAML::Node& node, Context& ctx);

// Once every section read cleanly: names and credentials unique, and every route action
// and token profile backed by what performs it.
void check_config(const Config& config, const YAML::Node& root, Context& ctx);

}  // namespace paygate::config::internal
