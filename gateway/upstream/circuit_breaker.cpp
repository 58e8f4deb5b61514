#include "gateway/upstream/circuit_breaker.h"

namespace paygate::gateway {

bool CircuitBreaker::allow() {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::closed: return true;
    case State::open:
      if (now_() - opened_at_ < open_for_) return false;
      state_ = State::half_open;
      probe_in_flight_ = true;
      return true;
    case State::half_open:
      if (probe_in_flight_) return false;  // one probe at a time
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
  probe_in_flight_ = false;
  state_ = State::closed;
}

void CircuitBreaker::record_failure() {
  std::lock_guard lock(mutex_);
  probe_in_flight_ = false;
  if (state_ == State::half_open || ++consecutive_failures_ >= threshold_) {
    state_ = State::open;
    opened_at_ = now_();
    consecutive_failures_ = 0;
  }
}

void CircuitBreaker::record_nothing() {
  std::lock_guard lock(mutex_);
  probe_in_flight_ = false;
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::string_view to_string(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::closed: return "closed";
    case CircuitBreaker::State::open: return "open";
    case CircuitBreaker::State::half_open: return "half_open";
  }
  return "unknown";
}

}  // namespace paygate::gateway
