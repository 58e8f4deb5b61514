#include "tokens/store/sqlite_vault_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "tokens/store/sqlite_statement.h"

namespace paygate::tokens {
namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS vault_tokens (
  token              TEXT PRIMARY KEY,
  merchant           TEXT NOT NULL,
  fingerprint        TEXT NOT NULL,
  fingerprint_key_id TEXT NOT NULL,
  pan_envelope       TEXT NOT NULL,
  data_key_id        TEXT NOT NULL,
  created_at         INTEGER NOT NULL,
  last_used_at       INTEGER NOT NULL,
  expires_at         INTEGER,
  UNIQUE (merchant, fingerprint)
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  merchant     TEXT NOT NULL,
  idem_key     TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state        INTEGER NOT NULL,  -- 0 in flight, 1 done
  status       INTEGER,
  content_type TEXT,
  body         TEXT,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  PRIMARY KEY (merchant, idem_key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at);
CREATE TABLE IF NOT EXISTS authorized_transactions (
  merchant       TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  PRIMARY KEY (merchant, transaction_id)
);
CREATE INDEX IF NOT EXISTS authorized_transactions_expiry ON authorized_transactions (expires_at);
CREATE TABLE IF NOT EXISTS vault_schema (version INTEGER NOT NULL);
INSERT INTO vault_schema (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM vault_schema);
CREATE TABLE IF NOT EXISTS vault_deletions (count INTEGER NOT NULL);
INSERT INTO vault_deletions (count) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM vault_deletions);
CREATE TRIGGER IF NOT EXISTS vault_tokens_deleted AFTER DELETE ON vault_tokens
BEGIN UPDATE vault_deletions SET count = count + 1; END;
)sql";

#define PAYGATE_VAULT_COLUMNS                                                                               \
  "token, merchant, fingerprint, fingerprint_key_id, pan_envelope, data_key_id, created_at, last_used_at, " \
  "expires_at"
constexpr const char* columns = PAYGATE_VAULT_COLUMNS;
// The request path's SQL (prepared once per store, see SqliteVaultStore::prepared).
constexpr const char* insert_sql =
    "INSERT INTO vault_tokens (token, merchant, fingerprint, fingerprint_key_id, pan_envelope, "
    "data_key_id, created_at, last_used_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* by_token_sql = "SELECT " PAYGATE_VAULT_COLUMNS " FROM vault_tokens WHERE token = ?1";
constexpr const char* by_fingerprint_sql =
    "SELECT " PAYGATE_VAULT_COLUMNS " FROM vault_tokens WHERE merchant = ?1 AND fingerprint = ?2";
constexpr const char* touch_sql = "UPDATE vault_tokens SET last_used_at = ?2 WHERE token = ?1";
#undef PAYGATE_VAULT_COLUMNS

using sqlite::column_text;
using sqlite::db_error;
using sqlite::Statement;

VaultRow read_row(sqlite3_stmt* s) {
  VaultRow r;
  r.token = column_text(s, 0);
  r.merchant = column_text(s, 1);
  r.fingerprint = column_text(s, 2);
  r.fingerprint_key_id = column_text(s, 3);
  r.pan_envelope = column_text(s, 4);
  r.data_key_id = column_text(s, 5);
  r.created_at = sqlite3_column_int64(s, 6);
  r.last_used_at = sqlite3_column_int64(s, 7);
  if (sqlite3_column_type(s, 8) != SQLITE_NULL) r.expires_at = sqlite3_column_int64(s, 8);
  return r;
}

crypto::Result<std::optional<VaultRow>> one_row(sqlite3* db, Statement& st) {
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<VaultRow>(read_row(st.get()));
  if (rc == SQLITE_DONE) return std::optional<VaultRow>();
  return db_error(db, "vault read failed");
}

// The vault file is created 0600 (SQLite gives its -wal and -shm files the database
// file's mode), and a vault file, -wal or -shm that group or others may read is refused:
// it holds every card number the vault keeps, encrypted, and their fingerprints.
crypto::Status private_vault_files(const std::string& path) {
  if (path.empty() || path.starts_with("file:") || path == ":memory:") return {};  // URIs: the operator's call
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) continue;
    if ((st.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return crypto::make_error(crypto::ErrorCode::invalid_argument,
                                "vault file " + file + " has mode " + mode +
                                    ": group and others must have no access (chmod 600)");
    }
  }
  return {};
}

}  // namespace

crypto::Result<std::unique_ptr<SqliteVaultStore>> SqliteVaultStore::open(const std::string& path,
                                                                         std::uint64_t max_bytes) {
  if (auto s = private_vault_files(path); !s.ok()) return s.error();
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    crypto::Error e = db_error(db, "cannot open vault " + path);
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SqliteVaultStore> store(new SqliteVaultStore(db));
  sqlite3_busy_timeout(db, 5000);
  // WAL: readers do not block the writer; FULL: every commit is fsynced before it returns.
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (sqlite3_exec(db, pragma, nullptr, nullptr, nullptr) != SQLITE_OK)
      return db_error(db, "cannot configure vault");
  }
  if (sqlite3_exec(db, schema, nullptr, nullptr, nullptr) != SQLITE_OK)
    return db_error(db, "cannot create vault schema");
  if (max_bytes > 0) {
    Statement page_size(db, "PRAGMA page_size");
    if (!page_size.ok() || page_size.step() != SQLITE_ROW) return db_error(db, "cannot configure vault");
    const auto pages = max_bytes / static_cast<std::uint64_t>(sqlite3_column_int64(page_size.get(), 0));
    const std::string pragma = "PRAGMA max_page_count = " + std::to_string(std::max<std::uint64_t>(pages, 1));
    if (sqlite3_exec(db, pragma.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      return db_error(db, "cannot configure vault");
  }
  return store;
}

SqliteVaultStore::~SqliteVaultStore() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

sqlite3_stmt* SqliteVaultStore::prepared(const char* sql) {
  auto& statement = statements_[sql];
  if (statement == nullptr &&
      sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
    sqlite3_finalize(statement);
    statement = nullptr;
    statements_.erase(sql);
    return nullptr;
  }
  return statement;
}

crypto::Result<InsertOutcome> SqliteVaultStore::insert(const VaultRow& row) {
  std::lock_guard lock(mutex_);
  Statement st(prepared(insert_sql));
  if (!st.ok()) return db_error(db_, "vault insert failed");
  st.text(1, row.token).text(2, row.merchant).text(3, row.fingerprint).text(4, row.fingerprint_key_id);
  st.text(5, row.pan_envelope)
      .text(6, row.data_key_id)
      .integer(7, row.created_at)
      .integer(8, row.last_used_at);
  st.optional_integer(9, row.expires_at);
  const int rc = st.step();
  if (rc == SQLITE_DONE) return InsertOutcome::inserted;
  if (sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_PRIMARYKEY) return InsertOutcome::token_taken;
  if (sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_UNIQUE) return InsertOutcome::fingerprint_taken;
  return db_error(db_, "vault insert failed");
}

crypto::Result<std::optional<VaultRow>> SqliteVaultStore::find_by_token(std::string_view token) {
  std::lock_guard lock(mutex_);
  Statement st(prepared(by_token_sql));
  if (!st.ok()) return db_error(db_, "vault read failed");
  st.text(1, token);
  return one_row(db_, st);
}

crypto::Result<std::optional<VaultRow>> SqliteVaultStore::find_by_fingerprint(std::string_view merchant,
                                                                              std::string_view fingerprint) {
  std::lock_guard lock(mutex_);
  Statement st(prepared(by_fingerprint_sql));
  if (!st.ok()) return db_error(db_, "vault read failed");
  st.text(1, merchant).text(2, fingerprint);
  return one_row(db_, st);
}

crypto::Status SqliteVaultStore::touch(std::string_view token, std::int64_t now) {
  std::lock_guard lock(mutex_);
  Statement st(prepared(touch_sql));
  if (!st.ok()) return db_error(db_, "vault update failed");
  st.text(1, token).integer(2, now);
  if (st.step() != SQLITE_DONE) return db_error(db_, "vault update failed");
  return {};
}

crypto::Result<bool> SqliteVaultStore::erase(std::string_view merchant, std::string_view token) {
  std::lock_guard lock(mutex_);
  Statement st(db_, "DELETE FROM vault_tokens WHERE token = ?1 AND merchant = ?2");
  if (!st.ok()) return db_error(db_, "vault delete failed");
  st.text(1, token).text(2, merchant);
  if (st.step() != SQLITE_DONE) return db_error(db_, "vault delete failed");
  return sqlite3_changes(db_) > 0;
}

crypto::Result<std::vector<VaultRow>> SqliteVaultStore::stale_rows(std::string_view data_key_id,
                                                                   std::string_view fingerprint_key_id,
                                                                   std::string_view after_token,
                                                                   std::size_t limit) {
  std::lock_guard lock(mutex_);
  Statement st(db_, (std::string("SELECT ") + columns +
                     " FROM vault_tokens WHERE token > ?3 AND (data_key_id <> ?1 OR fingerprint_key_id <> ?2)"
                     " ORDER BY token LIMIT ?4")
                        .c_str());
  if (!st.ok()) return db_error(db_, "vault read failed");
  st.text(1, data_key_id)
      .text(2, fingerprint_key_id)
      .text(3, after_token)
      .integer(4, static_cast<std::int64_t>(limit));
  std::vector<VaultRow> rows;
  for (;;) {
    const int rc = st.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return db_error(db_, "vault read failed");
    rows.push_back(read_row(st.get()));
  }
  return rows;
}

crypto::Result<bool> SqliteVaultStore::rewrap(const VaultRow& updated, std::string_view expected_envelope) {
  std::lock_guard lock(mutex_);
  Statement st(db_,
               "UPDATE vault_tokens SET pan_envelope = ?2, data_key_id = ?3, fingerprint = ?4, "
               "fingerprint_key_id = ?5 WHERE token = ?1 AND pan_envelope = ?6");
  if (!st.ok()) return db_error(db_, "vault rewrap failed");
  st.text(1, updated.token)
      .text(2, updated.pan_envelope)
      .text(3, updated.data_key_id)
      .text(4, updated.fingerprint);
  st.text(5, updated.fingerprint_key_id).text(6, expected_envelope);
  if (st.step() != SQLITE_DONE) return db_error(db_, "vault rewrap failed");
  return sqlite3_changes(db_) > 0;
}

crypto::Result<std::int64_t> SqliteVaultStore::count() {
  std::lock_guard lock(mutex_);
  Statement st(db_, "SELECT COUNT(*) FROM vault_tokens");
  if (!st.ok() || st.step() != SQLITE_ROW) return db_error(db_, "vault count failed");
  return sqlite3_column_int64(st.get(), 0);
}

crypto::Result<std::int64_t> SqliteVaultStore::deletions() {
  std::lock_guard lock(mutex_);
  Statement st(prepared("SELECT count FROM vault_deletions"));
  if (!st.ok() || st.step() != SQLITE_ROW) return db_error(db_, "vault read failed");
  return sqlite3_column_int64(st.get(), 0);
}

crypto::Status SqliteVaultStore::check_consistency() {
  std::lock_guard lock(mutex_);
  Statement st(db_, "PRAGMA integrity_check");
  if (!st.ok() || st.step() != SQLITE_ROW) return db_error(db_, "integrity check failed");
  const std::string verdict = column_text(st.get(), 0);
  if (verdict != "ok")
    return crypto::make_error(crypto::ErrorCode::internal, "vault integrity check: " + verdict);
  return {};
}

}  // namespace paygate::tokens
