#include "fraud/state.h"

#include <algorithm>
#include <array>

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
    : shards_(std::max<std::size_t>(1, shards)),
      per_shard_(std::max<std::size_t>(1, max_keys / std::max<std::size_t>(1, shards))) {}

namespace {

KindLayout make_layout(KeyKind kind) {
  KindLayout l;
  const auto windows = tracked_windows();
  l.offset.assign(windows.size(), KindLayout::npos);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    if (windows[i].key != kind) continue;
    l.offset[i] = l.cells;
    l.cells += SlidingWindow::cells(windows[i].window.buckets);
  }
  return l;
}

}  // namespace

const KindLayout& layout(KeyKind kind) {
  static const std::array<KindLayout, key_kind_count> layouts = [] {
    std::array<KindLayout, key_kind_count> out;
    for (std::size_t k = 0; k < key_kind_count; ++k) out[k] = make_layout(static_cast<KeyKind>(k));
    return out;
  }();
  return layouts[static_cast<std::size_t>(kind)];
}

std::optional<SlidingWindow> Entry::window(std::size_t tracked) {
  const KindLayout& l = layout(kind);
  if (tracked >= l.offset.size() || l.offset[tracked] == KindLayout::npos) return std::nullopt;
  const TrackedWindow& t = tracked_windows()[tracked];
  return SlidingWindow(
      std::span<std::uint64_t>(cells).subspan(l.offset[tracked], SlidingWindow::cells(t.window.buckets)),
      t.window.bucket_seconds);
}

Entry& FraudState::Shard::touch(KeyKind kind, std::uint64_t key, std::size_t capacity, bool& created,
                                std::atomic<std::uint64_t>& evictions) {
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
  slot.entry.kind = kind;
  slot.entry.cells.assign(layout(kind).cells, 0);
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

}  // namespace paygate::fraud
