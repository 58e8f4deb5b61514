// A sliding-window counter over fixed buckets, on storage the caller owns: the window is
// split into N buckets of equal width; adding rolls the ring forward to the current
// bucket (zeroing buckets that fell out) and the total is the sum of the live buckets.
// Memory is N + 1 words (the counts and the newest bucket's number); error is at most
// one bucket's width at the window's old edge. The clock is the caller's (seconds, any
// epoch), so tests drive time directly.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

namespace paygate::fraud {

class SlidingWindow {
 public:
  // Words of storage a window of `buckets` buckets needs.
  static constexpr std::size_t cells(std::uint32_t buckets) { return buckets + 1; }

  // `storage` holds cells(buckets) words, zero for a new window.
  SlidingWindow(std::span<std::uint64_t> storage, std::uint32_t bucket_seconds)
      : head_(storage[0]), counts_(storage.subspan(1)), bucket_seconds_(bucket_seconds) {}

  void add(std::int64_t now_seconds, std::uint64_t amount) {
    const std::int64_t bucket = now_seconds / bucket_seconds_;
    roll(bucket);
    counts_[slot(head())] += amount;
  }

  std::uint64_t total(std::int64_t now_seconds) const {
    const std::int64_t bucket = now_seconds / bucket_seconds_;
    const auto n = static_cast<std::int64_t>(counts_.size());
    std::uint64_t sum = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      // Slot head - i holds time bucket head - i; it is live while within the window.
      const std::int64_t b = head() - i;
      if (bucket - b < n && b <= bucket) sum += counts_[slot(b)];
    }
    return sum;
  }

 private:
  std::int64_t head() const { return static_cast<std::int64_t>(head_); }
  std::size_t slot(std::int64_t bucket) const {
    const auto n = static_cast<std::int64_t>(counts_.size());
    return static_cast<std::size_t>(((bucket % n) + n) % n);
  }
  void roll(std::int64_t bucket) {
    if (bucket <= head()) return;  // same bucket (or a clock that stepped back: count it here)
    const std::int64_t steps = bucket - head();
    if (steps >= static_cast<std::int64_t>(counts_.size())) {
      std::fill(counts_.begin(), counts_.end(), 0);
    } else {
      for (std::int64_t s = 1; s <= steps; ++s) counts_[slot(head() + s)] = 0;
    }
    head_ = static_cast<std::uint64_t>(bucket);
  }

  std::uint64_t& head_;
  std::span<std::uint64_t> counts_;
  std::uint32_t bucket_seconds_;
};

}  // namespace paygate::fraud
