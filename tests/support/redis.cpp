#include "tests/support/redis.h"

#include <signal.h>

#include <stdexcept>
#include <thread>

#include "tests/support/e2e.h"

namespace paygate::test {

RedisServer& RedisServer::instance() {
  static RedisServer server;
  return server;
}

RedisServer::RedisServer() : port_(unused_port()), tls_port_(unused_port()) { start(); }

void RedisServer::start() {
  const auto dir = make_temp_dir("redis");
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", dir.string(),
                               // An ACL user for the AUTH tests (the default user stays open for the others).
                               "--user", "paygate", "on", ">" + std::string(redis_test_password), "~*", "&*", "+@all",
                               "--tls-port", std::to_string(tls_port_),
                               "--tls-cert-file", (certs_dir() / "gateway.pem").string(),
                               "--tls-key-file", (certs_dir() / "gateway.key").string(),
                               "--tls-ca-cert-file", (certs_dir() / "ca.pem").string(), "--tls-auth-clients", "no"},
      dir / "redis.log");
  for (int i = 0; i < 200; ++i) {
    auto ping = run_command("redis-cli -p " + std::to_string(port_) + " ping 2>&1");
    if (ping.output.find("PONG") != std::string::npos) return;
    if (process_->exited()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error("redis-server did not start: " + read_file(dir / "redis.log"));
}

void RedisServer::stop() {
  if (process_) process_->stop(SIGTERM);
  process_.reset();
}

}  // namespace paygate::test
