// A per-client-address limit on audit records of authentication failures: a flood of
// unauthenticated requests must not fill the audit disk. Each address has a bucket of
// `burst` records, refilled at `per_minute`; past it, failures are still refused,
// counted in metrics and the access log, but not audited, and the next record admitted
// for that address says how many were suppressed. At most `max_addresses` are tracked
// (the least recently seen is forgotten first, so forgetting only ever gives an address
// a fresh bucket, never loses a count that was already reported). Thread-safe (one mutex:
// authentication failures are not the hot path).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace paygate::gateway {

class AuditThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  AuditThrottle(std::uint32_t burst = 20, std::uint32_t per_minute = 10, std::size_t max_addresses = 4096)
      : burst_(burst), per_minute_(per_minute), max_addresses_(max_addresses) {}

  struct Admission {
    bool record = true;
    std::uint64_t suppressed_before = 0;  // records not written for this address since its last one
  };
  Admission admit(std::string_view address, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point refilled;
    std::uint64_t suppressed = 0;
  };

  const double burst_;
  const double per_minute_;
  const std::size_t max_addresses_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace paygate::gateway
