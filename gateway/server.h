// The paygate server: network threads, listeners and their sessions.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"

namespace paygate::audit {
class AuditLog;
}

namespace paygate::gateway {

class Gateway {
 public:
  // Builds every TLS context, binds every listener and starts the network threads.
  // Throws std::runtime_error with an operator-readable message when a listener cannot
  // be bound or a certificate cannot be loaded (start-up only).
  // `audit` (may be null) takes a record per request and per authentication or
  // authorization failure; it must outlive the Gateway.
  static std::unique_ptr<Gateway> start(std::shared_ptr<const config::Config> config,
                                        audit::AuditLog* audit = nullptr);

  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Listener names with the addresses actually bound (port 0 resolved), in config order.
  std::vector<std::pair<std::string, config::Endpoint>> listening() const;

  // Graceful shutdown: stops accepting, closes idle keep-alive connections, lets requests
  // in flight finish (their answers close the connection), and returns when none is left
  // or `timeout` passed. Returns whether everything finished. Then call stop().
  bool drain(std::chrono::milliseconds timeout);

  // Stops accepting and ends every session. Thread-safe and idempotent.
  void stop();

  // Blocks until every network thread has exited.
  void wait();

  struct State;

 private:
  explicit Gateway(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace paygate::gateway
