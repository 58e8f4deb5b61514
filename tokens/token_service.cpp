#include "tokens/token_service.h"

namespace paygate::tokens {

using crypto::ErrorCode;
using crypto::make_error;

TokenService::TokenService(std::vector<TokenProfile> profiles, std::shared_ptr<const crypto::KeyRing> keyring,
                           std::shared_ptr<VaultStore> store, std::size_t token_cache)
    : profiles_(std::move(profiles)) {
  if (!keyring) return;
  fpe_ = std::make_unique<FpeTokenizer>(keyring);
  if (store)
    vault_ = std::make_unique<VaultTokenizer>(std::move(keyring), std::move(store), VaultTokenizer::Clock{}, token_cache);
}

const TokenProfile* TokenService::profile(std::string_view name) const {
  for (const auto& p : profiles_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool TokenService::in_vault(const TokenProfile* p) const {
  return p && p->kind == TokenKind::vault && vault_ != nullptr;
}

crypto::Result<std::string> TokenService::tokenize_with(const TokenProfile* p, std::string_view profile_name,
                                                        std::string_view merchant, std::string_view pan,
                                                        KeysUsed* used) {
  if (!p)
    return crypto::make_error(crypto::ErrorCode::invalid_argument,
                              "no token profile " + std::string(profile_name));
  if (p->kind == TokenKind::fpe) {
    if (!fpe_) return crypto::make_error(crypto::ErrorCode::unknown_key, "no keyring configured");
    return fpe_->tokenize(merchant, pan, *p, used);
  }
  if (!vault_) return crypto::make_error(crypto::ErrorCode::unavailable, "no vault configured");
  return vault_->tokenize(merchant, pan, *p, std::nullopt, used);
}

crypto::Result<std::string> TokenService::detokenize_with(const TokenProfile* p, std::string_view profile_name,
                                                          std::string_view merchant, std::string_view token,
                                                          KeysUsed* used) {
  if (!p)
    return crypto::make_error(crypto::ErrorCode::invalid_argument,
                              "no token profile " + std::string(profile_name));
  if (p->kind == TokenKind::fpe) {
    if (!fpe_) return crypto::make_error(crypto::ErrorCode::unknown_key, "no keyring configured");
    return fpe_->detokenize(merchant, token, *p, used);
  }
  if (!vault_) return crypto::make_error(crypto::ErrorCode::unavailable, "no vault configured");
  return vault_->detokenize(merchant, token, used);
}

crypto::Result<std::string> TokenService::tokenize(std::string_view merchant, std::string_view profile_name,
                                                   std::string_view pan, KeysUsed* used) {
  return tokenize_with(profile(profile_name), profile_name, merchant, pan, used);
}

crypto::Result<std::string> TokenService::detokenize(std::string_view merchant, std::string_view profile_name,
                                                     std::string_view token, KeysUsed* used) {
  return detokenize_with(profile(profile_name), profile_name, merchant, token, used);
}

std::optional<crypto::Result<std::string>> TokenService::tokenize_in_memory(std::string_view merchant,
                                                                             std::string_view profile_name,
                                                                             std::string_view pan, KeysUsed* used) {
  const TokenProfile* p = profile(profile_name);
  if (!in_vault(p)) return tokenize_with(p, profile_name, merchant, pan, used);  // never blocks
  auto token = vault_->cached_token(merchant, pan, *p, used);
  if (!token) return std::nullopt;
  return crypto::Result<std::string>(std::move(*token));
}

std::optional<crypto::Result<std::string>> TokenService::detokenize_in_memory(std::string_view merchant,
                                                                               std::string_view profile_name,
                                                                               std::string_view token,
                                                                               KeysUsed* used) {
  const TokenProfile* p = profile(profile_name);
  if (in_vault(p)) return std::nullopt;
  return detokenize_with(p, profile_name, merchant, token, used);
}

bool TokenService::uses_vault(std::string_view profile_name) const { return in_vault(profile(profile_name)); }

crypto::Result<bool> TokenService::erase(std::string_view merchant, std::string_view token) {
  if (!vault_) return crypto::make_error(crypto::ErrorCode::unavailable, "no vault configured");
  return vault_->erase(merchant, token);
}

}  // namespace paygate::tokens
