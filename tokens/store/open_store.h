// Opening the vault store a configuration names: SQLite (embedded) or PostgreSQL (shared
// by several gateway instances). The one place that knows both stores; callers get the
// VaultStore interface. Blocking (opens files or connections); start-up and reload only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "crypto/status.h"
#include "tokens/payment_records.h"
#include "tokens/vault_store.h"

namespace paygate::tokens {

struct StoreOptions {
  enum class Kind { none, sqlite, postgresql };
  Kind kind = Kind::none;
  std::filesystem::path path;     // sqlite: the database file (created if missing)
  std::uint64_t max_size = 0;     // sqlite: size cap in bytes (0: none)
  std::string dsn_env;            // postgresql: environment variable holding the libpq DSN
  std::uint32_t connections = 4;  // postgresql pool size
  // postgresql: TLS to the server, overriding whatever the DSN says. verify_full: the
  // server's certificate must chain to `ca` and name the host; disable: no TLS (loopback
  // only); unset: libpq's default ("prefer", which verifies nothing — check-config warns).
  enum class PgTls { unset, verify_full, disable };
  PgTls tls = PgTls::unset;
  std::filesystem::path ca;
};

// One opened store: the vault, and the payment records kept beside it (one object, two
// interfaces). Both null for Kind::none.
struct OpenedStore {
  std::shared_ptr<VaultStore> vault;
  std::shared_ptr<PaymentRecords> records;
};

// Errors: unavailable (the store cannot be opened, or the DSN's variable is unset; the
// reason names the store, never a password).
crypto::Result<OpenedStore> open_store(const StoreOptions& options);

}  // namespace paygate::tokens
