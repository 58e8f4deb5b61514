// The processor simulator's HTTPS server. Answers like a payment processor (see
// authorizer.h) and, on /sim/fault/... paths, misbehaves on purpose for tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "config/config.h"

namespace paygate::sim {

struct SimOptions {
  config::Endpoint listen{"127.0.0.1", 9443};
  config::ServerTls tls;
  std::uint32_t threads = 1;
  // The processor's JWE private key: card fields the gateway encrypted for it are opened.
  std::optional<std::filesystem::path> jwe_key;
  bool jwe_unopened = false;  // without jwe_key: accept JWE fields without opening them (benchmarks)
  // Connection-level faults, for the gateway's hardening tests (docs/simulator.md):
  std::uint32_t handshake_delay_ms = 0;  // accept TCP, then wait this long before the TLS handshake
  double drop_idle_probability = 0;      // after an answer, close the kept-alive connection 0..30 ms later
};

class SimServer {
 public:
  // Binds and starts serving; throws std::runtime_error on bind or certificate errors.
  static std::unique_ptr<SimServer> start(const SimOptions& options);
  ~SimServer();

  config::Endpoint bound() const;
  void stop();  // thread-safe
  void wait();

  struct State;

 private:
  explicit SimServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace paygate::sim
