// Vault tokens: random middle digits, kept front and back, a Luhn residue of 1..9, one
// row per token in a VaultStore.
//
// Convergent per merchant: the same PAN at the same merchant gets the same token again
// (found through the keyed fingerprint, under every live fingerprint key); another
// merchant gets another token. The row holds the PAN only as an envelope under the
// primary data key with associated data binding token and merchant. A token is returned
// only after its row is durable. Detokenizing checks the merchant and the expiry; another
// merchant's token is "not found", never "forbidden" (no oracle). Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/aead_envelope.h"
#include "crypto/fingerprint.h"
#include "crypto/keyring.h"
#include "crypto/status.h"
#include "tokens/keys_used.h"
#include "tokens/token_cache.h"
#include "tokens/token_profile.h"
#include "tokens/vault_store.h"

namespace paygate::tokens {

class VaultTokenizer {
 public:
  using Clock = std::function<std::int64_t()>;  // unix seconds

  // `cache_entries`: the size of the token cache (tokens/token_cache.h); 0: none, every
  // tokenization asks the store.
  VaultTokenizer(std::shared_ptr<const crypto::KeyRing> keyring, std::shared_ptr<VaultStore> store,
                 Clock clock = {}, std::size_t cache_entries = 0);

  // How long an erasure by another process may go unseen by the cache.
  static constexpr std::chrono::milliseconds cache_recheck{1000};

  // `ttl`: the token expires this long after it is made (none by default). `used`
  // (optional) receives the fingerprint key that found or keyed the row and, for a new
  // row, the data key that sealed it. Errors:
  // invalid_argument (the PAN does not fit the profile), unknown_key (no primary data or
  // fingerprint key), unavailable (the store failed: nothing was half-written).
  crypto::Result<std::string> tokenize(std::string_view merchant_id, std::string_view pan,
                                       const TokenProfile& profile,
                                       std::optional<std::chrono::seconds> ttl = std::nullopt,
                                       KeysUsed* used = nullptr);

  // tokenize() from memory alone, for a caller that must not block (a network thread):
  // the token of a card this process has tokenized for the merchant when the cache holds
  // it and nothing is due that asks the store (the erasure count's re-read, the row's
  // hourly touch). nullopt otherwise — an error included: then call tokenize(). Never
  // writes, never waits on the store.
  std::optional<std::string> cached_token(std::string_view merchant_id, std::string_view pan,
                                          const TokenProfile& profile, KeysUsed* used = nullptr);

  // Errors: not_found (unknown, another merchant's, or expired), retired_key (the row's
  // data key is retired: rewrap first), unavailable.
  crypto::Result<std::string> detokenize(std::string_view merchant_id, std::string_view token,
                                         KeysUsed* used = nullptr);

  // Erasure: removes the token if it is this merchant's. Returns whether it existed.
  crypto::Result<bool> erase(std::string_view merchant_id, std::string_view token);

  // One step of rotation: rewraps up to `limit` rows after `after_token` whose data or
  // fingerprint key is not the current primary. Resumable: a run that stops is continued
  // by starting again (rows already done are no longer stale).
  struct RewrapBatch {
    std::size_t rewrapped = 0;
    std::size_t skipped = 0;  // changed by someone else meanwhile
    std::size_t failed = 0;   // could not be opened (retired or missing key)
    std::string last_token;   // where the next batch starts
    bool done = false;
  };
  crypto::Result<RewrapBatch> rewrap_batch(std::string_view after_token, std::size_t limit);

  VaultStore& store() { return *store_; }

 private:
  // Empties the cache when the vault's deletion count moved (checked at most once per
  // cache_recheck).
  void notice_erasures();
  crypto::Result<std::optional<VaultRow>> find_existing(std::string_view merchant_id, std::string_view pan,
                                                        const crypto::Fingerprint& primary);
  std::string random_token(std::string_view pan, const TokenLayout& layout) const;

  std::shared_ptr<const crypto::KeyRing> keyring_;
  std::shared_ptr<VaultStore> store_;
  crypto::EnvelopeCipher envelopes_;
  crypto::Fingerprinter fingerprints_;
  Clock clock_;
  TokenCache cache_;
};

}  // namespace paygate::tokens
