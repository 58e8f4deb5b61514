// A sliding-window counter over fixed buckets: the window is split into N buckets of
// equal width; adding rolls the ring forward to the current bucket (zeroing buckets that
// fell out) and the total is the sum of the live buckets. Memory is constant (N counters
// and one bucket index); error is at most one bucket's width at the window's old edge.
// The clock is the caller's (seconds, any epoch), so tests drive time directly.
#pragma once

#include <array>
#include <cstdint>

namespace paygate::fraud {

template <std::size_t Buckets, class Count = std::uint32_t>
class SlidingWindow {
 public:
  // `bucket_seconds` * Buckets is the window.
  void add(std::int64_t now_seconds, std::uint32_t bucket_seconds, std::uint64_t amount) {
    roll(now_seconds / bucket_seconds);
    counts_[static_cast<std::size_t>(head_ % static_cast<std::int64_t>(Buckets))] += static_cast<Count>(amount);
  }

  std::uint64_t total(std::int64_t now_seconds, std::uint32_t bucket_seconds) const {
    const std::int64_t bucket = now_seconds / bucket_seconds;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < Buckets; ++i) {
      // Bucket head_ - i holds time bucket head_ - i; it is live while within the window.
      const std::int64_t b = head_ - static_cast<std::int64_t>(i);
      if (bucket - b < static_cast<std::int64_t>(Buckets) && b <= bucket) {
        sum += counts_[static_cast<std::size_t>(((b % static_cast<std::int64_t>(Buckets)) + static_cast<std::int64_t>(Buckets)) %
                                                static_cast<std::int64_t>(Buckets))];
      }
    }
    return sum;
  }

 private:
  void roll(std::int64_t bucket) {
    if (bucket <= head_) return;  // same bucket (or a clock that stepped back: count it here)
    const std::int64_t steps = bucket - head_;
    if (steps >= static_cast<std::int64_t>(Buckets)) {
      counts_.fill(0);
    } else {
      for (std::int64_t s = 1; s <= steps; ++s) counts_[static_cast<std::size_t>((head_ + s) % static_cast<std::int64_t>(Buckets))] = 0;
    }
    head_ = bucket;
  }

  std::array<Count, Buckets> counts_{};
  std::int64_t head_ = 0;
};

}  // namespace paygate::fraud
