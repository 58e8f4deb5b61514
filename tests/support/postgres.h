// Test support: a real PostgreSQL server for the tests, made with initdb in a temporary
// folder and listening on a free loopback port; stopped at the end of the test binary.
// As root, the server runs as the `postgres` user (initdb refuses root).
#pragma once

#include <cstdint>
#include <string>

namespace paygate::test {

class PostgresServer {
 public:
  // The server for this test binary, started on first use. Throws with the server's log
  // when it cannot start.
  static PostgresServer& instance();

  std::uint16_t port() const { return port_; }
  // A libpq connection string for `database` (as the superuser, trust auth on loopback).
  // The server speaks TLS with the dev gateway certificate (certs_dir()/ca.pem verifies it).
  std::string dsn(const std::string& database = "postgres") const;
  // Creates a fresh, empty database and returns its connection string.
  std::string create_database();

  ~PostgresServer();

 private:
  PostgresServer();
  std::string dir_;
  std::uint16_t port_ = 0;
  int databases_ = 0;
};

}  // namespace paygate::test
