// Screening state in Redis, so that velocity limits hold across gateway instances: the
// same signals as the in-process state (fraud/screener.h), computed by one Lua script per
// request (one round trip; atomic; bucketed counters with expiry; a sorted set for the
// distinct cards of a client IP). Keys carry the card's keyed fingerprint, never a PAN.
// The merchant amount distribution (amount_zscore) stays per instance.
//
// Blocking (it waits for Redis): call it from the blocking pool, never a network thread.
// Each calling thread keeps its own connection. When Redis cannot be reached or answers
// an error, the configured policy applies: fail_open (allow, signals zero) or fail_closed
// (block with reason "fraud_state_unavailable"); either way it is counted.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "fraud/screener.h"

namespace paygate::fraud {

struct RedisOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::chrono::milliseconds timeout{50};  // connect and each command
  std::string prefix = "pg:f:";           // every key starts with this
  bool fail_closed = false;
};

class RedisScreener final : public Screener {
 public:
  explicit RedisScreener(RedisOptions options);
  ~RedisScreener() override;

  Decision screen(const Profile& profile, const Observation& observation, std::int64_t now) override;
  SignalValues peek(const Observation& observation, std::int64_t now) override;
  void feedback(const Observation& observation, const Feedback& feedback, std::int64_t now) override;
  std::size_t tracked_keys() const override { return 0; }
  std::uint64_t evictions() const override { return 0; }
  std::uint64_t state_errors() const override { return errors_.load(std::memory_order_relaxed); }
  bool in_process() const override { return false; }  // every call is a Redis round trip

 private:
  // False when Redis could not answer (the error is counted and logged by the caller).
  bool signals(const Observation& o, std::int64_t now, bool record, SignalValues& out);

  RedisOptions options_;
  std::atomic<std::uint64_t> errors_{0};
  FraudState local_;  // the merchants' amount distributions
};

}  // namespace paygate::fraud
