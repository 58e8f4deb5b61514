// Tokenization as configured: the token profiles, the vault store and the keyring of one
// configuration, behind one object (tokenize and detokenize by profile name). Blocking (vault calls wait on
// the database): network code calls it through a BlockingPool. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keyring.h"
#include "crypto/status.h"
#include "tokens/fpe_tokenizer.h"
#include "tokens/token_profile.h"
#include "tokens/vault_tokenizer.h"

namespace paygate::tokens {

class TokenService {
 public:
  // `keyring` may be null (then every token operation fails with unknown_key or
  // unavailable); `store` may be null (no vault: vault profiles answer unavailable).
  // `token_cache`: entries of the vault tokenizer's cache (tokens/token_cache.h; 0: none).
  TokenService(std::vector<TokenProfile> profiles, std::shared_ptr<const crypto::KeyRing> keyring,
               std::shared_ptr<VaultStore> store, std::size_t token_cache = 0);

  // Errors: invalid_argument (unknown profile or a PAN that does not fit it), and those
  // of FpeTokenizer / VaultTokenizer.
  // `used` (optional) receives the ids of the keys the operation used.
  crypto::Result<std::string> tokenize(std::string_view merchant, std::string_view profile,
                                       std::string_view pan, KeysUsed* used = nullptr);
  crypto::Result<std::string> detokenize(std::string_view merchant, std::string_view profile,
                                         std::string_view token, KeysUsed* used = nullptr);
  // The same, for a caller that must not block (a network thread): the answer when it
  // needs no vault query — an FPE profile (pure computation), a vault card in the token
  // cache — else nullopt, and the caller goes to tokenize() / detokenize() on a thread
  // that may block. A vault detokenization always needs the vault (PANs are never cached).
  std::optional<crypto::Result<std::string>> tokenize_in_memory(std::string_view merchant, std::string_view profile,
                                                                std::string_view pan, KeysUsed* used = nullptr);
  std::optional<crypto::Result<std::string>> detokenize_in_memory(std::string_view merchant,
                                                                  std::string_view profile, std::string_view token,
                                                                  KeysUsed* used = nullptr);

  // Vault profiles only (FPE tokens have nothing to delete).
  crypto::Result<bool> erase(std::string_view merchant, std::string_view token);

  // Whether `profile` keeps its tokens in the vault (its calls may block); false for FPE
  // and for an unknown profile (its error is computed in memory).
  bool uses_vault(std::string_view profile) const;

  // The vault, for rewrap and checks; nullptr without one.
  VaultTokenizer* vault() { return vault_.get(); }

 private:
  const TokenProfile* profile(std::string_view name) const;
  // A vault profile with a vault to ask: its calls may block.
  bool in_vault(const TokenProfile* p) const;
  // tokenize / detokenize for the profile already looked up (`p` null: `profile_name` is
  // no profile's, an invalid_argument error).
  crypto::Result<std::string> tokenize_with(const TokenProfile* p, std::string_view profile_name,
                                            std::string_view merchant, std::string_view pan, KeysUsed* used);
  crypto::Result<std::string> detokenize_with(const TokenProfile* p, std::string_view profile_name,
                                              std::string_view merchant, std::string_view token, KeysUsed* used);

  std::vector<TokenProfile> profiles_;
  std::unique_ptr<FpeTokenizer> fpe_;
  std::unique_ptr<VaultTokenizer> vault_;
};

}  // namespace paygate::tokens
