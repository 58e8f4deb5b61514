// Internal to tokens/store/: a connection checked out of the PostgreSQL store's pool.
#pragma once

#include <libpq-fe.h>

#include "tokens/store/postgres_vault_store.h"

namespace paygate::tokens {

// Returns the connection to the pool on scope exit; replaces a broken one.
class PostgresVaultStore::Lease {
 public:
  explicit Lease(PostgresVaultStore& store) : store_(store), conn_(store.acquire()) {
    if (PQstatus(conn_) != CONNECTION_OK) PQreset(conn_);  // the server restarted: reconnect
  }
  ~Lease() { store_.release(conn_); }
  pg_conn* get() const { return conn_; }

 private:
  PostgresVaultStore& store_;
  pg_conn* conn_;
};

}  // namespace paygate::tokens
