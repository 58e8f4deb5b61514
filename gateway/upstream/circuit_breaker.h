// A circuit breaker per processor, shared by every network thread: after `failures`
// consecutive failed exchanges it opens (requests are answered 503 without reaching the
// processor); after `open_for` it lets one probe through (half-open); the probe's success
// closes it, its failure opens it again. Thread-safe (a mutex: held for a few
// instructions, once per exchange). The clock is injected for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>

namespace paygate::gateway {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };

  CircuitBreaker(std::uint32_t failures, std::chrono::milliseconds open_for,
                 std::function<Clock::time_point()> now = Clock::now)
      : threshold_(failures), open_for_(open_for), now_(std::move(now)) {}

  // Whether an exchange may go ahead now. A true in half-open state is the probe: the
  // caller must report its outcome.
  bool allow();
  void record_success();
  void record_failure();
  // The exchange ended without telling anything about the processor (paygate's own queue
  // was full): a probe's turn goes to the next request.
  void record_nothing();

  State state() const;

 private:
  mutable std::mutex mutex_;
  std::uint32_t threshold_;
  std::chrono::milliseconds open_for_;
  std::function<Clock::time_point()> now_;
  State state_ = State::closed;
  std::uint32_t consecutive_failures_ = 0;
  Clock::time_point opened_at_{};
  bool probe_in_flight_ = false;
};

std::string_view to_string(CircuitBreaker::State state);

}  // namespace paygate::gateway
