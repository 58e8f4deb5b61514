// Internal to tokens/store/: a prepared SQLite statement with its binders, and the error
// of a failed call. SQLite's messages name tables and constraints, never row values.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/status.h"

namespace paygate::tokens::sqlite {

inline crypto::Error db_error(sqlite3* db, std::string_view what) {
  return crypto::make_error(crypto::ErrorCode::internal, std::string(what) + ": " + sqlite3_errmsg(db));
}

// A prepared statement for one use: finalized on scope exit, or, when it is one the
// store keeps (`reused`), reset and unbound for the next use.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK; }
  explicit Statement(sqlite3_stmt* reused) : stmt_(reused), ok_(reused != nullptr), owned_(false) {}
  ~Statement() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return ok_; }
  Statement& text(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& integer(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& optional_integer(int index, const std::optional<std::int64_t>& value) {
    if (value)
      sqlite3_bind_int64(stmt_, index, *value);
    else
      sqlite3_bind_null(stmt_, index);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
  bool owned_ = true;
};

inline std::string column_text(sqlite3_stmt* s, int i) {
  const auto* p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
           : "";
}

}  // namespace paygate::tokens::sqlite
