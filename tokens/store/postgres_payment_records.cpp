// The payment records (tokens/payment_records.h) in the shared PostgreSQL vault database:
// every instance claims idempotency keys in the same table, so of two instances that get
// the same key at once exactly one runs the request.
#include <string>

#include "tokens/store/pg_statement.h"
#include "tokens/store/postgres_lease.h"

namespace paygate::tokens {
namespace {

using pg::exec;
using pg::pg_error;
using pg::ResultGuard;

// Takes the key when it is free or its claim expired (RETURNING answers a row only then);
// the primary key settles concurrent claims.
constexpr const char* claim_sql =
    "INSERT INTO idempotency_keys (merchant, idem_key, request_hash, state, created_at, expires_at) "
    "VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (merchant, idem_key) DO UPDATE SET "
    "request_hash = excluded.request_hash, state = 0, status = NULL, content_type = NULL, body = NULL, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at "
    "WHERE idempotency_keys.expires_at <= $4 RETURNING 1";
constexpr const char* claimed_sql =
    "SELECT request_hash, state, status, content_type, body FROM idempotency_keys WHERE merchant = $1 AND idem_key = $2";
// A few at a time, at most once a second per store, keep the tables at their window
// without a sweeper.
constexpr const char* erase_expired_sql =
    "WITH k AS (DELETE FROM idempotency_keys WHERE ctid IN "
    "  (SELECT ctid FROM idempotency_keys WHERE expires_at <= $1 LIMIT 16)) "
    "DELETE FROM authorized_transactions WHERE ctid IN "
    "  (SELECT ctid FROM authorized_transactions WHERE expires_at <= $1 LIMIT 16)";

// Best effort: expired rows are never answered from, and a later write tries again.
void erase_expired(pg_conn* conn, std::atomic<std::int64_t>& erased_at, std::int64_t now) {
  if (erased_at.exchange(now, std::memory_order_relaxed) == now) return;
  ResultGuard r{exec(conn, erase_expired_sql, {std::to_string(now)})};
}

}  // namespace

crypto::Result<IdempotencyClaim> PostgresVaultStore::claim(std::string_view merchant, std::string_view key,
                                                           std::string_view request_hash, std::int64_t now,
                                                           std::int64_t expires_at) {
  Lease lease(*this);
  erase_expired(lease.get(), records_erased_at_, now);
  {
    ResultGuard r{exec(lease.get(), claim_sql,
                       {std::string(merchant), std::string(key), std::string(request_hash), std::to_string(now),
                        std::to_string(expires_at)})};
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return pg_error(lease.get(), "idempotency claim failed");
    if (PQntuples(r.r) == 1) return IdempotencyClaim{};
  }
  ResultGuard r{exec(lease.get(), claimed_sql, {std::string(merchant), std::string(key)})};
  if (PQresultStatus(r.r) != PGRES_TUPLES_OK || PQntuples(r.r) != 1)
    return pg_error(lease.get(), "idempotency read failed");
  IdempotencyClaim c;
  c.request_hash = PQgetvalue(r.r, 0, 0);
  c.state = std::string_view(PQgetvalue(r.r, 0, 1)) == "1" ? IdempotencyClaim::State::done
                                                           : IdempotencyClaim::State::in_flight;
  if (c.state == IdempotencyClaim::State::done) {
    c.answer.status = static_cast<unsigned>(std::stoul(PQgetvalue(r.r, 0, 2)));
    c.answer.content_type = PQgetvalue(r.r, 0, 3);
    c.answer.body.assign(PQgetvalue(r.r, 0, 4), static_cast<std::size_t>(PQgetlength(r.r, 0, 4)));
  }
  return c;
}

crypto::Status PostgresVaultStore::complete(std::string_view merchant, std::string_view key,
                                            const StoredAnswer& answer) {
  Lease lease(*this);
  ResultGuard r{exec(lease.get(),
                     "UPDATE idempotency_keys SET state = 1, status = $3, content_type = $4, body = $5 "
                     "WHERE merchant = $1 AND idem_key = $2 AND state = 0",
                     {std::string(merchant), std::string(key), std::to_string(answer.status), answer.content_type,
                      answer.body})};
  if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return pg_error(lease.get(), "idempotency update failed");
  return {};
}

crypto::Status PostgresVaultStore::release(std::string_view merchant, std::string_view key) {
  Lease lease(*this);
  ResultGuard r{exec(lease.get(), "DELETE FROM idempotency_keys WHERE merchant = $1 AND idem_key = $2 AND state = 0",
                     {std::string(merchant), std::string(key)})};
  if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return pg_error(lease.get(), "idempotency release failed");
  return {};
}

crypto::Status PostgresVaultStore::remember_transaction(std::string_view merchant, std::string_view transaction_id,
                                                        std::int64_t now, std::int64_t expires_at) {
  Lease lease(*this);
  erase_expired(lease.get(), records_erased_at_, now);
  ResultGuard r{exec(lease.get(),
                     "INSERT INTO authorized_transactions (merchant, transaction_id, created_at, expires_at) "
                     "VALUES ($1, $2, $3, $4) ON CONFLICT (merchant, transaction_id) DO NOTHING",
                     {std::string(merchant), std::string(transaction_id), std::to_string(now),
                      std::to_string(expires_at)})};
  if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return pg_error(lease.get(), "transaction insert failed");
  return {};
}

crypto::Result<bool> PostgresVaultStore::transaction_known(std::string_view merchant, std::string_view transaction_id,
                                                           std::int64_t now) {
  Lease lease(*this);
  ResultGuard r{exec(lease.get(),
                     "SELECT 1 FROM authorized_transactions WHERE merchant = $1 AND transaction_id = $2 "
                     "AND expires_at > $3",
                     {std::string(merchant), std::string(transaction_id), std::to_string(now)})};
  if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return pg_error(lease.get(), "transaction read failed");
  return PQntuples(r.r) == 1;
}

}  // namespace paygate::tokens
