// The paygate server: network threads, listeners and their sessions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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
  // authorization failure; it must outlive the Gateway. `before_serving` (may be empty)
  // runs once every listener is bound and before any network thread runs: the place to
  // drop privileges; it throws to abort the start.
  static std::unique_ptr<Gateway> start(std::shared_ptr<const config::Config> config,
                                        audit::AuditLog* audit = nullptr,
                                        const std::function<void()>& before_serving = {});

  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Listener names with the addresses actually bound (port 0 resolved), in config order.
  std::vector<std::pair<std::string, config::Endpoint>> listening() const;

  // Re-reads the configuration file the running one came from, with its keyring,
  // certificate, key and CRL files; validates all of it by building a complete new
  // snapshot; and only then swaps it in. Requests already running finish on the old
  // snapshot, new connections get the new TLS contexts. A refused set changes nothing.
  // Outcomes and key state changes go to the audit log and /metrics. Thread-safe;
  // reloads run one at a time. Used by SIGHUP and POST /admin/reload.
  struct ReloadOutcome {
    bool ok = false;
    std::uint64_t generation = 0;     // the snapshot serving new requests afterwards
    std::vector<std::string> errors;  // why it was refused: file:line key path, or the part that failed
    std::size_t key_changes = 0;      // keys added, promoted, demoted, retired, removed
  };
  // `actor`: who asked — "signal:SIGHUP", or "admin:<administrator identity>" — for the
  // reload and key_state audit records.
  ReloadOutcome reload(const std::string& actor);

  // The configuration new requests are served with.
  std::shared_ptr<const config::Config> config() const;

  // Graceful shutdown: stops accepting, closes idle keep-alive connections, lets requests
  // in flight finish (their answers close the connection), and returns when none is left
  // or `timeout` passed. Returns whether everything finished. Then call stop().
  bool drain(std::chrono::milliseconds timeout);

  // Whether every network thread runs a task posted to it within `timeout` (the watchdog's
  // test: a thread stuck in a loop or a lock stops the keep-alives). Blocks up to `timeout`.
  bool responsive(std::chrono::milliseconds timeout) const;

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
