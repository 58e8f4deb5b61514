// An in-process cache of vault tokens by card fingerprint, per merchant: the request path
// finds the token of a card it has seen without a vault query (issue #21: the SQLite
// lookup, its locks and the hourly touch were ~23 us of a ~180 us request).
//
// What it holds: (merchant, fingerprint under the primary fingerprint key) -> token, its
// expiry and when the row was last touched. Never a PAN, never key material: a token is
// not a secret and the fingerprint is a keyed hash. Scoped per merchant like the vault's
// convergence, so a hit tells a merchant nothing the token it gets back does not already
// (the same card at the same merchant gets the same token, cached or not).
//
// Kept right: an entry answers only until its token's expiry; an erasure in this process
// removes it at once; an erasure anywhere else (the CLI, another gateway sharing
// PostgreSQL, SQL by hand) empties the cache within `recheck` — the vault counts every
// deleted row (VaultStore::deletions) and the tokenizer compares that count at most once
// per `recheck`. Key rotation needs nothing: a new primary fingerprint key (a reload
// builds a new tokenizer and cache) misses and finds the row in the vault as before.
// Bounded: at `capacity` entries, an arbitrary eighth is dropped. Thread-safe (one mutex;
// the hold is a hash lookup).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace paygate::tokens {

class TokenCache {
 public:
  struct Entry {
    std::string token;
    std::string fingerprint_key_id;
    std::optional<std::int64_t> expires_at;  // unix seconds
    std::int64_t last_used_at = 0;           // as the row says (touched hourly)
  };

  explicit TokenCache(std::size_t capacity) : capacity_(capacity) {}

  bool enabled() const { return capacity_ > 0; }
  // The entry, when present and not expired at `now`.
  std::optional<Entry> find(std::string_view merchant, std::string_view fingerprint, std::int64_t now);
  // find() for a caller that may not ask the vault: also nothing when the deletion count
  // is due for a re-read (`steady` past the last read by `recheck`), so a cached entry
  // is never trusted longer than find() after deletions_due() would trust it. Claims
  // nothing: the next deletions_due() still says due.
  std::optional<Entry> find_if_checked(std::string_view merchant, std::string_view fingerprint, std::int64_t now,
                                       std::chrono::steady_clock::time_point steady,
                                       std::chrono::milliseconds recheck);
  // Counts every removal (forget_token, a cache emptied by observe_deletions). A caller
  // takes it before it asks the vault and hands it to put(): when anything was removed
  // meanwhile, the row it read may be the one erased, and put() keeps nothing.
  std::uint64_t generation() const;
  void put(std::string_view merchant, std::string_view fingerprint, Entry entry, std::uint64_t generation);
  void touched(std::string_view merchant, std::string_view fingerprint, std::int64_t now);
  // This process erased `token`.
  void forget_token(std::string_view token);
  // The vault's deletion count as just read: a change since the last call empties the
  // cache (someone erased rows). Returns whether it did.
  bool observe_deletions(std::int64_t deletions);
  // Whether the deletion count is due for a re-read (at most once per `recheck`).
  bool deletions_due(std::chrono::steady_clock::time_point now, std::chrono::milliseconds recheck);
  std::size_t size() const;

 private:
  static std::string key_of(std::string_view merchant, std::string_view fingerprint);
  std::optional<Entry> find_locked(const std::string& key, std::int64_t now);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::optional<std::int64_t> deletions_;
  std::uint64_t generation_ = 0;
  std::chrono::steady_clock::time_point checked_{};
};

}  // namespace paygate::tokens
