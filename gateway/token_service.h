// Tokenization as configured: the token profiles, the vault store and the keyring of one
// configuration, behind one object. Blocking (vault calls wait on the database): network
// code calls it through a BlockingPool. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "crypto/status.h"
#include "crypto/tokens/fpe_tokenizer.h"
#include "crypto/tokens/vault_tokenizer.h"

namespace paygate::gateway {

class TokenService {
 public:
  // Opens the vault store (if the configuration has one). Errors: unavailable (the store
  // cannot be opened; the reason names the store, never a password).
  static crypto::Result<std::unique_ptr<TokenService>> create(const config::Config& config);

  // Errors: invalid_argument (unknown profile or a PAN that does not fit it), and those
  // of FpeTokenizer / VaultTokenizer.
  crypto::Result<std::string> tokenize(std::string_view merchant, std::string_view profile, std::string_view pan);
  crypto::Result<std::string> detokenize(std::string_view merchant, std::string_view profile, std::string_view token);
  // Vault profiles only (FPE tokens have nothing to delete).
  crypto::Result<bool> erase(std::string_view merchant, std::string_view token);

  // The vault, for rewrap and checks; nullptr without one.
  crypto::VaultTokenizer* vault() { return vault_.get(); }

 private:
  TokenService() = default;
  const crypto::TokenProfile* profile(std::string_view name) const;

  std::vector<crypto::TokenProfile> profiles_;
  std::unique_ptr<crypto::FpeTokenizer> fpe_;
  std::unique_ptr<crypto::VaultTokenizer> vault_;
};

}  // namespace paygate::gateway
