#include "gateway/token_service.h"

#include <cstdlib>

#include "crypto/keyring.h"
#include "crypto/tokens/postgres_vault_store.h"
#include "crypto/tokens/sqlite_vault_store.h"

namespace paygate::gateway {

using crypto::ErrorCode;
using crypto::make_error;

crypto::Result<std::unique_ptr<TokenService>> TokenService::create(const config::Config& config) {
  std::unique_ptr<TokenService> service(new TokenService());
  service->profiles_ = config.token_profiles;
  if (!config.keyring) return service;
  service->fpe_ = std::make_unique<crypto::FpeTokenizer>(config.keyring);
  std::shared_ptr<crypto::VaultStore> store;
  switch (config.vault.store) {
    case config::VaultConfig::Store::none: return service;
    case config::VaultConfig::Store::sqlite: {
      auto opened = crypto::SqliteVaultStore::open(config.vault.path.string(), config.vault.max_size);
      if (!opened) return make_error(ErrorCode::unavailable, opened.error().reason);
      store = std::move(opened).value();
      break;
    }
    case config::VaultConfig::Store::postgresql: {
      const char* dsn = std::getenv(config.vault.dsn_env.c_str());
      if (!dsn) return make_error(ErrorCode::unavailable, "environment variable " + config.vault.dsn_env + " is not set");
      auto opened = crypto::PostgresVaultStore::open(dsn, config.vault.connections);
      if (!opened) return opened.error();
      store = std::move(opened).value();
      break;
    }
  }
  service->vault_ = std::make_unique<crypto::VaultTokenizer>(config.keyring, std::move(store));
  return service;
}

const crypto::TokenProfile* TokenService::profile(std::string_view name) const {
  for (const auto& p : profiles_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

crypto::Result<std::string> TokenService::tokenize(std::string_view merchant, std::string_view profile_name,
                                                   std::string_view pan) {
  const crypto::TokenProfile* p = profile(profile_name);
  if (!p) return make_error(ErrorCode::invalid_argument, "no token profile " + std::string(profile_name));
  if (p->kind == crypto::TokenKind::fpe) {
    if (!fpe_) return make_error(ErrorCode::unknown_key, "no keyring configured");
    return fpe_->tokenize(merchant, pan, *p);
  }
  if (!vault_) return make_error(ErrorCode::unavailable, "no vault configured");
  return vault_->tokenize(merchant, pan, *p);
}

crypto::Result<std::string> TokenService::detokenize(std::string_view merchant, std::string_view profile_name,
                                                     std::string_view token) {
  const crypto::TokenProfile* p = profile(profile_name);
  if (!p) return make_error(ErrorCode::invalid_argument, "no token profile " + std::string(profile_name));
  if (p->kind == crypto::TokenKind::fpe) {
    if (!fpe_) return make_error(ErrorCode::unknown_key, "no keyring configured");
    return fpe_->detokenize(merchant, token, *p);
  }
  if (!vault_) return make_error(ErrorCode::unavailable, "no vault configured");
  return vault_->detokenize(merchant, token);
}

crypto::Result<bool> TokenService::erase(std::string_view merchant, std::string_view token) {
  if (!vault_) return make_error(ErrorCode::unavailable, "no vault configured");
  return vault_->erase(merchant, token);
}

}  // namespace paygate::gateway
