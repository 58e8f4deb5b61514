#include "gateway/flow/audit_throttle.h"

#include <algorithm>

namespace paygate::gateway {

AuditThrottle::Admission AuditThrottle::admit(std::string_view address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(address));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_addresses_) {
      auto oldest = std::min_element(buckets_.begin(), buckets_.end(),
                                     [](const auto& a, const auto& b) { return a.second.refilled < b.second.refilled; });
      buckets_.erase(oldest);
    }
    it = buckets_.emplace(std::string(address), Bucket{burst_, now, 0}).first;
  }
  Bucket& b = it->second;
  const double minutes = std::chrono::duration<double, std::ratio<60>>(now - b.refilled).count();
  b.tokens = std::min(burst_, b.tokens + minutes * per_minute_);
  b.refilled = now;
  if (b.tokens < 1) {
    ++b.suppressed;
    return {false, 0};
  }
  b.tokens -= 1;
  Admission admitted{true, b.suppressed};
  b.suppressed = 0;
  return admitted;
}

}  // namespace paygate::gateway
