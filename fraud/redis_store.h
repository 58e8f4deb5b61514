// Screening state in Redis, so that velocity limits hold across gateway instances: the
// windows of the signal table as bucketed counters with expiry and a sorted set for the
// distinct cards of a client IP, read and updated by one generic Lua script per request
// (one round trip; atomic). Keys carry the card's keyed fingerprint, never a PAN.
//
// Blocking (it waits for Redis): call it from the blocking pool, never a network thread.
// Each calling thread keeps its own connection (fraud/redis_connection.h: TCP or verified
// TLS, AUTH when configured). A Redis that cannot be reached, refuses the TLS handshake or
// AUTH, or answers an error or garbage makes apply() false (counted in state_errors()).
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "fraud/redis_connection.h"
#include "fraud/screener.h"
#include "fraud/window_store.h"

namespace paygate::fraud {

struct RedisOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::chrono::milliseconds timeout{50};  // connect and each command
  std::string prefix = "pg:f:";           // every key starts with this
  bool fail_closed = false;               // for the Screener: block while Redis does not answer
  // AUTH on every new connection (Redis 6 ACL user, or the default user when empty);
  // no AUTH when the password is empty. Never logged.
  std::string username;
  std::string password;
  // TLS with the server's certificate verified; plain TCP when unset.
  std::optional<RedisTls> tls;
};

class RedisStore final : public WindowStore {
 public:
  explicit RedisStore(RedisOptions options);
  ~RedisStore() override;

  bool apply(std::span<const WindowRead> reads, const DistinctCards* distinct, bool record, std::int64_t now,
             std::span<std::uint64_t> before, DistinctResult& distinct_result) override;
  std::size_t tracked_keys() const override { return 0; }
  std::uint64_t evictions() const override { return 0; }
  std::uint64_t state_errors() const override { return errors_.load(std::memory_order_relaxed); }
  bool in_process() const override { return false; }  // every call is a Redis round trip

 private:
  RedisOptions options_;
  std::uint64_t id_;  // tells this store's per-thread connections from another store's
  std::atomic<std::uint64_t> errors_{0};
};

// The state in Redis, shared by every instance.
class RedisScreener final : public Screener {
 public:
  explicit RedisScreener(RedisOptions options);
};

}  // namespace paygate::fraud
