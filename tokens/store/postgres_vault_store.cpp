#include "tokens/store/postgres_vault_store.h"

#include <array>
#include <cstring>

#include "tokens/store/pg_statement.h"
#include "tokens/store/postgres_lease.h"

namespace paygate::tokens {
namespace {

constexpr const char* schema = R"sql(
SELECT pg_advisory_xact_lock(7261626);
CREATE TABLE IF NOT EXISTS vault_tokens (
  token              TEXT NOT NULL,
  merchant           TEXT NOT NULL,
  fingerprint        TEXT NOT NULL,
  fingerprint_key_id TEXT NOT NULL,
  pan_envelope       TEXT NOT NULL,
  data_key_id        TEXT NOT NULL,
  created_at         BIGINT NOT NULL,
  last_used_at       BIGINT NOT NULL,
  expires_at         BIGINT,
  CONSTRAINT vault_tokens_pkey PRIMARY KEY (token),
  CONSTRAINT vault_tokens_fingerprint_key UNIQUE (merchant, fingerprint)
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  merchant     TEXT NOT NULL,
  idem_key     TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state        SMALLINT NOT NULL,  -- 0 in flight, 1 done
  status       INTEGER,
  content_type TEXT,
  body         TEXT,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  CONSTRAINT idempotency_keys_pkey PRIMARY KEY (merchant, idem_key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at);
CREATE TABLE IF NOT EXISTS authorized_transactions (
  merchant       TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  CONSTRAINT authorized_transactions_pkey PRIMARY KEY (merchant, transaction_id)
);
CREATE INDEX IF NOT EXISTS authorized_transactions_expiry ON authorized_transactions (expires_at);
CREATE TABLE IF NOT EXISTS vault_schema (version INTEGER NOT NULL);
INSERT INTO vault_schema (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM vault_schema);
CREATE TABLE IF NOT EXISTS vault_deletions (count BIGINT NOT NULL);
INSERT INTO vault_deletions (count) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM vault_deletions);
CREATE OR REPLACE FUNCTION vault_count_deletions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE vault_deletions SET count = count + 1; RETURN NULL; END $$;
CREATE OR REPLACE TRIGGER vault_tokens_deleted AFTER DELETE ON vault_tokens
FOR EACH ROW EXECUTE FUNCTION vault_count_deletions();
)sql";

constexpr const char* columns =
    "token, merchant, fingerprint, fingerprint_key_id, pan_envelope, data_key_id, created_at, last_used_at, "
    "expires_at";

using pg::exec;
using pg::pg_error;
using pg::ResultGuard;

VaultRow read_row(PGresult* r, int i) {
  VaultRow row;
  row.token = PQgetvalue(r, i, 0);
  row.merchant = PQgetvalue(r, i, 1);
  row.fingerprint = PQgetvalue(r, i, 2);
  row.fingerprint_key_id = PQgetvalue(r, i, 3);
  row.pan_envelope = PQgetvalue(r, i, 4);
  row.data_key_id = PQgetvalue(r, i, 5);
  row.created_at = std::stoll(PQgetvalue(r, i, 6));
  row.last_used_at = std::stoll(PQgetvalue(r, i, 7));
  if (!PQgetisnull(r, i, 8)) row.expires_at = std::stoll(PQgetvalue(r, i, 8));
  return row;
}

std::optional<std::string> opt(const std::optional<std::int64_t>& v) {
  return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
}

}  // namespace


crypto::Result<std::unique_ptr<PostgresVaultStore>> PostgresVaultStore::open(
    const std::string& dsn, std::size_t connections, const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::unique_ptr<PostgresVaultStore> store(new PostgresVaultStore());
  // The DSN first (expanded), then the overrides: libpq lets a later keyword win.
  std::vector<const char*> keywords{"dbname"};
  std::vector<const char*> values{dsn.c_str()};
  for (const auto& [k, v] : overrides) {
    keywords.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, connections); ++i) {
    pg_conn* conn = PQconnectdbParams(keywords.data(), values.data(), 1);
    store->all_.push_back(conn);
    if (PQstatus(conn) != CONNECTION_OK) return pg_error(conn, "cannot connect to the PostgreSQL vault");
    // Server notices ("relation already exists, skipping") are not for our users' terminals.
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    store->idle_.push_back(conn);
  }
  pg_conn* conn = store->all_.front();
  // One implicit transaction; the transaction-level advisory lock is held until it commits,
  // so instances starting together create the schema one after the other.
  ResultGuard migrated{PQexec(conn, schema)};
  if (PQresultStatus(migrated.r) != PGRES_TUPLES_OK && PQresultStatus(migrated.r) != PGRES_COMMAND_OK) {
    return pg_error(conn, "cannot create the vault schema");
  }
  return store;
}

PostgresVaultStore::~PostgresVaultStore() {
  for (pg_conn* c : all_) PQfinish(c);
}

pg_conn* PostgresVaultStore::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty(); });
  pg_conn* c = idle_.back();
  idle_.pop_back();
  return c;
}

void PostgresVaultStore::release(pg_conn* connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(connection);
  }
  available_.notify_one();
}

crypto::Result<InsertOutcome> PostgresVaultStore::insert(const VaultRow& row) {
  Lease lease(*this);
  ResultGuard r{exec(
      lease.get(),
      "INSERT INTO vault_tokens (token, merchant, fingerprint, fingerprint_key_id, pan_envelope, "
      "data_key_id, created_at, last_used_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
      {row.token, row.merchant, row.fingerprint, row.fingerprint_key_id, row.pan_envelope, row.data_key_id,
       std::to_string(row.created_at), std::to_string(row.last_used_at), opt(row.expires_at)})};
  if (PQresultStatus(r.r) == PGRES_COMMAND_OK) return InsertOutcome::inserted;
  const char* state = PQresultErrorField(r.r, PG_DIAG_SQLSTATE);
  const char* constraint = PQresultErrorField(r.r, PG_DIAG_CONSTRAINT_NAME);
  if (state && std::strcmp(state, "23505") == 0 && constraint) {
    if (std::strcmp(constraint, "vault_tokens_pkey") == 0) return InsertOutcome::token_taken;
    if (std::strcmp(constraint, "vault_tokens_fingerprint_key") == 0) return InsertOutcome::fingerprint_taken;
  }
  return pg_error(lease.get(), "vault insert failed");
}

crypto::Result<std::optional<VaultRow>> PostgresVaultStore::find_by_token(std::string_view token) {
  Lease lease(*this);
  ResultGuard r{exec(lease.get(),
                     (std::string("SELECT ") + columns + " FROM vault_tokens WHERE token = $1").c_str(),
                     {std::string(token)})};
  if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return pg_error(lease.get(), "vault read failed");
  if (PQntuples(r.r) == 0) return std::optional<VaultRow>();
  return std::optional<VaultRow>(read_row(r.r, 0));
}

crypto::Result<std::optional<VaultRow>> PostgresVaultStore::find_by_fingerprint(
    std::string_view merchant, std::string_view fingerprint) {
  Lease lease(*this);
  ResultGuard r{
      exec(lease.get(),
           (std::string("SELECT ") + columns + " FROM vault_tokens WHERE merchant = $1 AND fingerprint = $2")
               .c_str(),
           {std::string(merchant), std::string(fingerprint)})};
  if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return pg_error(lease.get(), "vault read failed");
  if (PQntuples(r.r) == 0) return std::optional<VaultRow>();
  return std::optional<VaultRow>(read_row(r.r, 0));
}

crypto::Status PostgresVaultStore::touch(std::string_view token, std::int64_t now) {
  Lease lease(*this);
  ResultGuard r{exec(lease.get(), "UPDATE vault_tokens SET last_used_at = $2 WHERE token = $1",
                     {std::string(token), std::to_string(now)})};
  if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return pg_error(lease.get(), "vault update failed");
  return {};
}

crypto::Result<bool> PostgresVaultStore::erase(std::string_view merchant, std::string_view token) {
  Lease lease(*this);
  ResultGuard r{exec(lease.get(), "DELETE FROM vault_tokens WHERE token = $1 AND merchant = $2",
                     {std::string(token), std::string(merchant)})};
  if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return pg_error(lease.get(), "vault delete failed");
  return std::strcmp(PQcmdTuples(r.r), "0") != 0;
}

crypto::Result<std::vector<VaultRow>> PostgresVaultStore::stale_rows(std::string_view data_key_id,
                                                                     std::string_view fingerprint_key_id,
                                                                     std::string_view after_token,
                                                                     std::size_t limit) {
  Lease lease(*this);
  ResultGuard r{exec(
      lease.get(),
      (std::string("SELECT ") + columns +
       " FROM vault_tokens WHERE token COLLATE \"C\" > $3 AND (data_key_id <> $1 OR fingerprint_key_id <> $2)"
       " ORDER BY token COLLATE \"C\" LIMIT $4")
          .c_str(),
      {std::string(data_key_id), std::string(fingerprint_key_id), std::string(after_token),
       std::to_string(limit)})};
  if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return pg_error(lease.get(), "vault read failed");
  std::vector<VaultRow> rows;
  for (int i = 0; i < PQntuples(r.r); ++i) rows.push_back(read_row(r.r, i));
  return rows;
}

crypto::Result<bool> PostgresVaultStore::rewrap(const VaultRow& updated, std::string_view expected_envelope) {
  Lease lease(*this);
  ResultGuard r{exec(lease.get(),
                     "UPDATE vault_tokens SET pan_envelope = $2, data_key_id = $3, fingerprint = $4, "
                     "fingerprint_key_id = $5 WHERE token = $1 AND pan_envelope = $6",
                     {updated.token, updated.pan_envelope, updated.data_key_id, updated.fingerprint,
                      updated.fingerprint_key_id, std::string(expected_envelope)})};
  if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return pg_error(lease.get(), "vault rewrap failed");
  return std::strcmp(PQcmdTuples(r.r), "0") != 0;
}

crypto::Result<std::int64_t> PostgresVaultStore::count() {
  Lease lease(*this);
  ResultGuard r{PQexec(lease.get(), "SELECT COUNT(*) FROM vault_tokens")};
  if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return pg_error(lease.get(), "vault count failed");
  return static_cast<std::int64_t>(std::stoll(PQgetvalue(r.r, 0, 0)));
}

crypto::Result<std::int64_t> PostgresVaultStore::deletions() {
  Lease lease(*this);
  ResultGuard r{PQexec(lease.get(), "SELECT count FROM vault_deletions")};
  if (PQresultStatus(r.r) != PGRES_TUPLES_OK || PQntuples(r.r) != 1) return pg_error(lease.get(), "vault read failed");
  return static_cast<std::int64_t>(std::stoll(PQgetvalue(r.r, 0, 0)));
}

crypto::Status PostgresVaultStore::check_consistency() {
  // The constraints are the consistency: confirm they are in place.
  Lease lease(*this);
  ResultGuard r{PQexec(lease.get(),
                       "SELECT COUNT(*) FROM pg_constraint WHERE conname IN "
                       "('vault_tokens_pkey', 'vault_tokens_fingerprint_key')")};
  if (PQresultStatus(r.r) != PGRES_TUPLES_OK) return pg_error(lease.get(), "vault check failed");
  if (std::string(PQgetvalue(r.r, 0, 0)) != "2")
    return crypto::make_error(crypto::ErrorCode::internal, "vault constraints are missing");
  return {};
}

}  // namespace paygate::tokens
