// What in-process fraud screening remembers: per key (a card's keyed fingerprint, a
// merchant, a client IP, a BIN, a card at a merchant) the sliding windows the signal
// table reads for that kind of key (fraud/signals.h), in memory, bounded.
//
// Keys are 64-bit hashes (a card key comes from the keyed fingerprint, never the PAN).
// The table is split into shards, each with its own lock, hash map and LRU list: a
// request touches a handful of keys, each under one short lock, so two network threads
// rarely meet. When a shard is full, its least recently seen key is evicted: memory is
// max_keys entries, however many distinct keys arrive. Reading without recording (peek)
// neither creates a key nor moves it in the LRU order, so it can evict nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fraud/signals.h"
#include "fraud/sliding_window.h"

namespace paygate::fraud {

// A key's hash with its kind mixed in, so that kinds never collide.
std::uint64_t make_key(KeyKind kind, std::string_view text);

struct Entry {
  KeyKind kind = KeyKind::card;
  // The windows of this kind of key (KindLayout), one after the other.
  std::vector<std::uint64_t> cells;
  // Client IPs: the most recent distinct cards (16-bit tags of their keys) and when.
  struct Seen {
    std::uint16_t card = 0;
    std::int64_t at = 0;
  };
  std::unique_ptr<std::vector<Seen>> recent_cards;  // allocated for IP keys only

  // The window tracked_windows()[tracked] of this entry, or nullopt when this kind of key
  // does not keep it.
  std::optional<SlidingWindow> window(std::size_t tracked);
};

// Where each tracked window of one key kind lives in Entry::cells.
struct KindLayout {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::vector<std::size_t> offset;  // per tracked window: its first cell, or npos
  std::size_t cells = 0;
};
const KindLayout& layout(KeyKind kind);

class FraudState {
 public:
  explicit FraudState(std::size_t max_keys, std::size_t shards = 64);

  // Runs `f(Entry&, bool created)` on the key's entry under its shard's lock, creating it
  // (and evicting the shard's least recently used key when full). Returns f's result.
  template <class F>
  auto with(KeyKind kind, std::uint64_t key, F&& f) {
    Shard& shard = shards_[key % shards_.size()];
    std::lock_guard lock(shard.mutex);
    bool created = false;
    Entry& entry = shard.touch(kind, key, per_shard_, created, evictions_);
    return f(entry, created);
  }

  // Runs `f(Entry*)` with the key's entry, or null when the key is not tracked: creates
  // nothing, evicts nothing, leaves the LRU order as it is.
  template <class F>
  auto peek(std::uint64_t key, F&& f) {
    Shard& shard = shards_[key % shards_.size()];
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    return f(it == shard.entries.end() ? nullptr : &it->second.entry);
  }

  std::size_t size() const;         // keys tracked now
  std::uint64_t evictions() const;  // keys dropped to stay within max_keys
  std::size_t max_keys() const { return per_shard_ * shards_.size(); }

 private:
  struct Shard {
    std::mutex mutex;
    std::list<std::uint64_t> lru;  // most recent first
    struct Slot {
      Entry entry;
      std::list<std::uint64_t>::iterator position;
    };
    std::unordered_map<std::uint64_t, Slot> entries;
    Entry& touch(KeyKind kind, std::uint64_t key, std::size_t capacity, bool& created,
                 std::atomic<std::uint64_t>& evictions);
  };
  std::vector<Shard> shards_;
  std::size_t per_shard_;
  std::atomic<std::uint64_t> evictions_{0};  // for metrics
};

}  // namespace paygate::fraud
