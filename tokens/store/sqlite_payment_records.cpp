// The payment records (tokens/payment_records.h) in the embedded vault's SQLite file.
#include "tokens/store/sqlite_statement.h"
#include "tokens/store/sqlite_vault_store.h"

namespace paygate::tokens {
namespace {

using sqlite::column_text;
using sqlite::db_error;
using sqlite::Statement;

// Takes the key when it is free or its claim expired; changes nothing otherwise (one
// statement: atomic against every other connection to the file).
constexpr const char* claim_sql =
    "INSERT INTO idempotency_keys (merchant, idem_key, request_hash, state, created_at, expires_at) "
    "VALUES (?1, ?2, ?3, 0, ?4, ?5) ON CONFLICT (merchant, idem_key) DO UPDATE SET "
    "request_hash = excluded.request_hash, state = 0, status = NULL, content_type = NULL, body = NULL, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at "
    "WHERE idempotency_keys.expires_at <= ?4";
constexpr const char* claimed_sql =
    "SELECT request_hash, state, status, content_type, body FROM idempotency_keys WHERE merchant = ?1 AND idem_key = ?2";
constexpr const char* complete_sql =
    "UPDATE idempotency_keys SET state = 1, status = ?3, content_type = ?4, body = ?5 "
    "WHERE merchant = ?1 AND idem_key = ?2 AND state = 0";
constexpr const char* release_sql = "DELETE FROM idempotency_keys WHERE merchant = ?1 AND idem_key = ?2 AND state = 0";
constexpr const char* remember_sql =
    "INSERT INTO authorized_transactions (merchant, transaction_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (merchant, transaction_id) DO NOTHING";
constexpr const char* known_sql =
    "SELECT 1 FROM authorized_transactions WHERE merchant = ?1 AND transaction_id = ?2 AND expires_at > ?3";
// A few at a time (erase_expired_records) keep the tables at their window without a
// sweeper thread.
constexpr const char* erase_keys_sql =
    "DELETE FROM idempotency_keys WHERE rowid IN "
    "(SELECT rowid FROM idempotency_keys WHERE expires_at <= ?1 LIMIT 16)";
constexpr const char* erase_transactions_sql =
    "DELETE FROM authorized_transactions WHERE rowid IN "
    "(SELECT rowid FROM authorized_transactions WHERE expires_at <= ?1 LIMIT 16)";

}  // namespace

void SqliteVaultStore::erase_expired_records(std::int64_t now) {
  // Once a second is enough to keep the tables at their window; not a statement per write.
  if (now == records_erased_at_) return;
  records_erased_at_ = now;
  // Best effort: a failure leaves rows for the next write, and expired rows are never
  // answered from (claim replaces them, transaction_known ignores them).
  for (const char* sql : {erase_keys_sql, erase_transactions_sql}) {
    Statement st(prepared(sql));
    if (st.ok()) st.integer(1, now).step();
  }
}

crypto::Result<IdempotencyClaim> SqliteVaultStore::claim(std::string_view merchant, std::string_view key,
                                                         std::string_view request_hash, std::int64_t now,
                                                         std::int64_t expires_at) {
  std::lock_guard lock(mutex_);
  erase_expired_records(now);
  {
    Statement st(prepared(claim_sql));
    if (!st.ok()) return db_error(db_, "idempotency claim failed");
    st.text(1, merchant).text(2, key).text(3, request_hash).integer(4, now).integer(5, expires_at);
    if (st.step() != SQLITE_DONE) return db_error(db_, "idempotency claim failed");
    if (sqlite3_changes(db_) > 0) return IdempotencyClaim{};
  }
  Statement st(prepared(claimed_sql));
  if (!st.ok()) return db_error(db_, "idempotency read failed");
  st.text(1, merchant).text(2, key);
  if (st.step() != SQLITE_ROW) return db_error(db_, "idempotency read failed");
  IdempotencyClaim c;
  c.request_hash = column_text(st.get(), 0);
  c.state = sqlite3_column_int64(st.get(), 1) == 1 ? IdempotencyClaim::State::done : IdempotencyClaim::State::in_flight;
  if (c.state == IdempotencyClaim::State::done) {
    c.answer.status = static_cast<unsigned>(sqlite3_column_int64(st.get(), 2));
    c.answer.content_type = column_text(st.get(), 3);
    c.answer.body = column_text(st.get(), 4);
  }
  return c;
}

crypto::Status SqliteVaultStore::complete(std::string_view merchant, std::string_view key, const StoredAnswer& answer) {
  std::lock_guard lock(mutex_);
  Statement st(prepared(complete_sql));
  if (!st.ok()) return db_error(db_, "idempotency update failed");
  st.text(1, merchant).text(2, key).integer(3, answer.status).text(4, answer.content_type).text(5, answer.body);
  if (st.step() != SQLITE_DONE) return db_error(db_, "idempotency update failed");
  return {};
}

crypto::Status SqliteVaultStore::release(std::string_view merchant, std::string_view key) {
  std::lock_guard lock(mutex_);
  Statement st(prepared(release_sql));
  if (!st.ok()) return db_error(db_, "idempotency release failed");
  st.text(1, merchant).text(2, key);
  if (st.step() != SQLITE_DONE) return db_error(db_, "idempotency release failed");
  return {};
}

crypto::Status SqliteVaultStore::remember_transaction(std::string_view merchant, std::string_view transaction_id,
                                                      std::int64_t now, std::int64_t expires_at) {
  std::lock_guard lock(mutex_);
  erase_expired_records(now);
  Statement st(prepared(remember_sql));
  if (!st.ok()) return db_error(db_, "transaction insert failed");
  st.text(1, merchant).text(2, transaction_id).integer(3, now).integer(4, expires_at);
  if (st.step() != SQLITE_DONE) return db_error(db_, "transaction insert failed");
  return {};
}

crypto::Result<bool> SqliteVaultStore::transaction_known(std::string_view merchant, std::string_view transaction_id,
                                                         std::int64_t now) {
  std::lock_guard lock(mutex_);
  Statement st(prepared(known_sql));
  if (!st.ok()) return db_error(db_, "transaction read failed");
  st.text(1, merchant).text(2, transaction_id).integer(3, now);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_error(db_, "transaction read failed");
}

}  // namespace paygate::tokens
