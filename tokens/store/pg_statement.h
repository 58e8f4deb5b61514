// Internal to tokens/store/: running SQL with text parameters over libpq, and the error
// of a failed call. libpq's messages can quote a connection string's host and user, never
// its password, and never parameter values.
#pragma once

#include <libpq-fe.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"

namespace paygate::tokens::pg {

inline crypto::Error pg_error(pg_conn* conn, std::string_view what) {
  std::string reason = conn ? PQerrorMessage(conn) : "no connection";
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
  return crypto::make_error(crypto::ErrorCode::unavailable, std::string(what) + ": " + reason);
}

struct ResultGuard {
  PGresult* r;
  ~ResultGuard() { PQclear(r); }
};

// Runs `sql` with text parameters (null for SQL NULL).
inline PGresult* exec(pg_conn* conn, const char* sql, std::initializer_list<std::optional<std::string>> params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
}

}  // namespace paygate::tokens::pg
