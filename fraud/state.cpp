#include "fraud/state.h"

#include <algorithm>
#include <cmath>

namespace paygate::fraud {

std::uint64_t make_key(KeyKind kind, std::string_view text) {
  // FNV-1a, then a finalizer (splitmix64) so that similar keys spread over shards.
  std::uint64_t h = 0xcbf29ce484222325ull ^ static_cast<std::uint64_t>(kind);
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  h ^= static_cast<std::uint64_t>(kind) << 56;
  h += 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

FraudState::FraudState(std::size_t max_keys, std::size_t shards)
    : shards_(std::max<std::size_t>(1, shards)), per_shard_(std::max<std::size_t>(1, max_keys / std::max<std::size_t>(1, shards))) {}

Entry& FraudState::Shard::touch(std::uint64_t key, std::size_t capacity, bool& created, std::atomic<std::uint64_t>& evictions) {
  auto it = entries.find(key);
  if (it != entries.end()) {
    lru.splice(lru.begin(), lru, it->second.position);
    return it->second.entry;
  }
  if (entries.size() >= capacity && !lru.empty()) {
    entries.erase(lru.back());
    lru.pop_back();
    evictions.fetch_add(1, std::memory_order_relaxed);
  }
  lru.push_front(key);
  auto& slot = entries[key];
  slot.position = lru.begin();
  created = true;
  return slot.entry;
}

std::size_t FraudState::size() const {
  std::size_t n = 0;
  for (auto& shard : const_cast<std::vector<Shard>&>(shards_)) {
    std::lock_guard lock(shard.mutex);
    n += shard.entries.size();
  }
  return n;
}

std::uint64_t FraudState::evictions() const { return evictions_.load(std::memory_order_relaxed); }

double FraudState::amount_zscore(const std::string& merchant, std::uint64_t amount, bool record) {
  constexpr std::size_t capacity = 256;
  constexpr std::size_t minimum = 20;   // below this, no distribution to speak of
  constexpr std::size_t refresh = 16;   // median and MAD are recomputed every 16 new amounts
  double median = 0, mad = 1;
  {
    std::lock_guard lock(amounts_mutex_);
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
