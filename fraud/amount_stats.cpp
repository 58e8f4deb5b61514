#include "fraud/amount_stats.h"

#include <algorithm>
#include <cmath>

namespace paygate::fraud {

double AmountStats::zscore(const std::string& merchant, std::uint64_t amount, bool record) {
  constexpr std::size_t capacity = 256;
  constexpr std::size_t minimum = 20;  // below this, no distribution to speak of
  constexpr std::size_t refresh = 16;  // median and MAD are recomputed every 16 new amounts
  double median = 0, mad = 1;
  {
    std::lock_guard lock(mutex_);
    Amounts& a = amounts_[merchant];
    if (a.ring.size() >= minimum && (a.since_stats >= refresh || !a.has_stats)) {
      // Median and MAD by selection over a copy: O(n) for n <= 256, once per 16 payments.
      std::vector<double> values(a.ring.begin(), a.ring.end());
      const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
      std::nth_element(values.begin(), mid, values.end());
      a.median = *mid;
      for (auto& v : values) v = std::fabs(v - a.median);
      std::nth_element(values.begin(), mid, values.end());
      // A MAD of 0 (all amounts equal) counts as one minor unit: any other amount then
      // stands out strongly, but finitely.
      a.mad = std::max(*mid, 1.0);
      a.has_stats = true;
      a.since_stats = 0;
    }
    const bool known = a.has_stats;
    median = a.median;
    mad = a.mad;
    if (record) {
      if (a.ring.size() < capacity) {
        a.ring.push_back(amount);
      } else {
        a.ring[a.next] = amount;
        a.next = (a.next + 1) % capacity;
      }
      ++a.since_stats;
    }
    if (!known) return 0;
  }
  // 0.6745: the MAD of a normal distribution is 0.6745 sigma.
  return 0.6745 * (static_cast<double>(amount) - median) / mad;
}

}  // namespace paygate::fraud
