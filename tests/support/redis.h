// Test support: a real Redis server (Debian's redis-server) on a free loopback port, with
// no persistence, for the tests of the shared fraud state; stopped at the end of the test
// binary.
#pragma once

#include <cstdint>
#include <memory>

#include "tests/support/process.h"

namespace paygate::test {

// The password of the server's ACL user "paygate".
inline constexpr const char* redis_test_password = "fraud-state-s3cret";

class RedisServer {
 public:
  // The server for this test binary, started on first use. Throws with its log when it
  // cannot start.
  static RedisServer& instance();
  std::uint16_t port() const { return port_; }
  // The same server's TLS port: the dev gateway certificate (localhost, 127.0.0.1), which
  // certs_dir()/ca.pem verifies; client certificates not asked for.
  std::uint16_t tls_port() const { return tls_port_; }
  // Stops or restarts it (the gateway's fail-open / fail-closed paths).
  void stop();
  void start();

 private:
  RedisServer();
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace paygate::test
