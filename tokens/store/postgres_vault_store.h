// The shared vault: PostgreSQL through libpq, for several gateway instances. The schema is
// created or migrated on start (under an advisory lock, so instances starting together do
// not race); unique constraints settle concurrent tokenizations of one PAN across
// instances. Commits are durable (synchronous_commit on) before a call returns. The same
// database keeps the payment records (postgres_payment_records.cpp), so instances agree on
// idempotency keys and authorized transactions.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "tokens/payment_records.h"
#include "tokens/vault_store.h"

struct pg_conn;

namespace paygate::tokens {

class PostgresVaultStore final : public VaultStore, public PaymentRecords {
 public:
  // `dsn` is a libpq connection string; `connections` the pool size (one per worker
  // thread is right). Errors: unavailable with libpq's reason (never the password).
  // `overrides`: libpq keywords that win over the DSN's (sslmode, sslrootcert).
  static crypto::Result<std::unique_ptr<PostgresVaultStore>> open(
      const std::string& dsn, std::size_t connections,
      const std::vector<std::pair<std::string, std::string>>& overrides = {});
  ~PostgresVaultStore() override;

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

  class Lease;  // a connection checked out of the pool

 private:
  PostgresVaultStore() = default;
  pg_conn* acquire();
  void release(pg_conn* connection);

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<pg_conn*> idle_;
  std::vector<pg_conn*> all_;
  std::atomic<std::int64_t> records_erased_at_{0};  // the second expired payment records were last erased
};

}  // namespace paygate::tokens
