#include "tokens/store/open_store.h"

#include <cstdlib>

#include "tokens/store/postgres_vault_store.h"
#include "tokens/store/sqlite_vault_store.h"

namespace paygate::tokens {

namespace {

template <class Store>
OpenedStore both(std::unique_ptr<Store> store) {
  std::shared_ptr<Store> shared(std::move(store));
  return OpenedStore{shared, shared};
}

}  // namespace

crypto::Result<OpenedStore> open_store(const StoreOptions& options) {
  using crypto::ErrorCode;
  switch (options.kind) {
    case StoreOptions::Kind::none:
      return OpenedStore{};
    case StoreOptions::Kind::sqlite: {
      auto opened = SqliteVaultStore::open(options.path.string(), options.max_size);
      if (!opened) return crypto::make_error(ErrorCode::unavailable, opened.error().reason);
      return both(std::move(opened).value());
    }
    case StoreOptions::Kind::postgresql: {
      const char* dsn = std::getenv(options.dsn_env.c_str());
      if (!dsn)
        return crypto::make_error(ErrorCode::unavailable,
                                  "environment variable " + options.dsn_env + " is not set");
      std::vector<std::pair<std::string, std::string>> overrides;
      if (options.tls == StoreOptions::PgTls::verify_full) {
        overrides = {{"sslmode", "verify-full"}, {"sslrootcert", options.ca.string()}};
      } else if (options.tls == StoreOptions::PgTls::disable) {
        overrides = {{"sslmode", "disable"}};
      }
      auto opened = PostgresVaultStore::open(dsn, options.connections, overrides);
      if (!opened) return opened.error();
      return both(std::move(opened).value());
    }
  }
  return crypto::make_error(ErrorCode::internal, "unknown vault store kind");
}

}  // namespace paygate::tokens
