// The embedded vault: one SQLite file in WAL mode with synchronous=FULL, so a committed
// row survives a crash or power loss before the token is handed out. The same file keeps
// the payment records (idempotency keys, authorized transactions: sqlite_payment_records.cpp).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "tokens/payment_records.h"
#include "tokens/vault_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace paygate::tokens {

class SqliteVaultStore final : public VaultStore, public PaymentRecords {
 public:
  // Opens or creates the database and its schema. `max_bytes` caps the database's size
  // (0: no cap), so a runaway vault fails its inserts cleanly instead of filling the disk.
  // Errors: internal with SQLite's reason.
  static crypto::Result<std::unique_ptr<SqliteVaultStore>> open(const std::string& path,
                                                                std::uint64_t max_bytes = 0);
  ~SqliteVaultStore() override;

  crypto::Result<InsertOutcome> insert(const VaultRow& row) override;
  crypto::Result<std::optional<VaultRow>> find_by_token(std::string_view token) override;
  crypto::Result<std::optional<VaultRow>> find_by_fingerprint(std::string_view merchant,
                                                              std::string_view fingerprint) override;
  crypto::Status touch(std::string_view token, std::int64_t now) override;
  crypto::Result<bool> erase(std::string_view merchant, std::string_view token) override;
  crypto::Result<std::vector<VaultRow>> stale_rows(std::string_view data_key_id,
                                                   std::string_view fingerprint_key_id,
                                                   std::string_view after_token, std::size_t limit) override;
  crypto::Result<bool> rewrap(const VaultRow& updated, std::string_view expected_envelope) override;
  crypto::Result<std::int64_t> count() override;
  crypto::Result<std::int64_t> deletions() override;
  crypto::Status check_consistency() override;

  crypto::Result<IdempotencyClaim> claim(std::string_view merchant, std::string_view key,
                                         std::string_view request_hash, std::int64_t now,
                                         std::int64_t expires_at) override;
  crypto::Status complete(std::string_view merchant, std::string_view key, const StoredAnswer& answer) override;
  crypto::Status release(std::string_view merchant, std::string_view key) override;
  crypto::Status remember_transaction(std::string_view merchant, std::string_view transaction_id, std::int64_t now,
                                      std::int64_t expires_at) override;
  crypto::Result<bool> transaction_known(std::string_view merchant, std::string_view transaction_id,
                                         std::int64_t now) override;

 private:
  // Erases up to a few expired payment records, at most once a second (under mutex_).
  void erase_expired_records(std::int64_t now);
  std::int64_t records_erased_at_ = 0;  // under mutex_
  explicit SqliteVaultStore(sqlite3* db) : db_(db) {}
  // The request path's statements are compiled once and reused (SQLite's parser was a
  // tenth of the gateway's vault time when every call prepared its SQL). Under mutex_.
  sqlite3_stmt* prepared(const char* sql);
  // One connection, used by one thread at a time: SQLite serializes writers anyway, and
  // the commit's fsync dominates every write.
  std::mutex mutex_;
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;  // by the address of a static SQL text
};

}  // namespace paygate::tokens
