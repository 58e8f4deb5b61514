// Runs a test against every vault store: a fresh SQLite file, and a fresh database on the
// test binary's real PostgreSQL server.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tokens/store/postgres_vault_store.h"
#include "tokens/store/sqlite_vault_store.h"
#include "tests/support/postgres.h"
#include "tests/support/process.h"

namespace paygate::tokens {
using namespace paygate::crypto;

inline std::vector<std::string> vault_store_kinds() { return {"sqlite", "postgres"}; }

class VaultStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      dir_ = paygate::test::make_temp_dir("vault");
      store_ = std::shared_ptr<VaultStore>(SqliteVaultStore::open((dir_ / "vault.db").string()).value());
    } else {
      dsn_ = paygate::test::PostgresServer::instance().create_database();
      auto opened = PostgresVaultStore::open(dsn_, 4);
      ASSERT_TRUE(opened) << opened.error().to_string();
      store_ = std::shared_ptr<VaultStore>(std::move(opened).value());
    }
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::shared_ptr<VaultStore> store() { return store_; }
  // Another handle on the same database: what another process (the CLI, another gateway)
  // would hold.
  std::shared_ptr<VaultStore> another_store() {
    if (GetParam() == "sqlite")
      return std::shared_ptr<VaultStore>(SqliteVaultStore::open((dir_ / "vault.db").string()).value());
    return std::shared_ptr<VaultStore>(PostgresVaultStore::open(dsn_, 1).value());
  }

  std::filesystem::path dir_;
  std::string dsn_;
  std::shared_ptr<VaultStore> store_;
};

}  // namespace paygate::tokens
