// Where vault tokens live: one interface, two stores (SQLite embedded, PostgreSQL shared).
//
// A store keeps rows and enforces two unique constraints — the token, and (merchant,
// fingerprint) — so that concurrent tokenizations of one PAN, in one process or in several
// gateways sharing PostgreSQL, settle on one token. Stores never see a PAN in clear: the
// row holds it as an AEAD envelope. Every method is thread-safe and blocking; callers on
// network threads go through a worker pool (vault_worker_pool.h). A write returns only
// after it is durable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"

namespace paygate::tokens {

struct VaultRow {
  std::string token;
  std::string merchant;
  std::string fingerprint;  // hex HMAC of (merchant, PAN)
  std::string fingerprint_key_id;
  std::string pan_envelope;     // pg1 envelope, associated data = token + merchant
  std::string data_key_id;      // the envelope's key, for rewrap queries
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t last_used_at = 0;
  std::optional<std::int64_t> expires_at;
};

enum class InsertOutcome { inserted, token_taken, fingerprint_taken };

class VaultStore {
 public:
  virtual ~VaultStore() = default;

  virtual crypto::Result<InsertOutcome> insert(const VaultRow& row) = 0;
  virtual crypto::Result<std::optional<VaultRow>> find_by_token(std::string_view token) = 0;
  virtual crypto::Result<std::optional<VaultRow>> find_by_fingerprint(std::string_view merchant,
                                                                      std::string_view fingerprint) = 0;
  virtual crypto::Status touch(std::string_view token, std::int64_t now) = 0;
  // Removes the row if it belongs to `merchant`; returns whether one was removed.
  virtual crypto::Result<bool> erase(std::string_view merchant, std::string_view token) = 0;
  // Up to `limit` rows, in token order after `after_token`, whose data key is not
  // `data_key_id` or whose fingerprint key is not `fingerprint_key_id`.
  virtual crypto::Result<std::vector<VaultRow>> stale_rows(std::string_view data_key_id,
                                                           std::string_view fingerprint_key_id,
                                                           std::string_view after_token,
                                                           std::size_t limit) = 0;
  // Replaces a row's envelope and fingerprint if it still has `expected_envelope`
  // (another rewrap may have got there first). Returns whether it changed.
  virtual crypto::Result<bool> rewrap(const VaultRow& updated, std::string_view expected_envelope) = 0;
  virtual crypto::Result<std::int64_t> count() = 0;
  // How many rows have ever been deleted (erasure, expiry, or by hand in SQL): a trigger
  // counts every DELETE, whoever runs it. Token caches compare it to see an erasure made
  // by another process (tokens/token_cache.h).
  virtual crypto::Result<std::int64_t> deletions() = 0;
  // Store-specific consistency check (SQLite integrity_check); OK when consistent.
  virtual crypto::Status check_consistency() = 0;
};

}  // namespace paygate::tokens
