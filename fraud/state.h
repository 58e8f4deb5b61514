// What fraud screening remembers: sliding-window counters per key (a card's keyed
// fingerprint, a merchant, a client IP, a BIN, a card at a merchant), in memory, bounded.
//
// Keys are 64-bit hashes (a card key comes from the keyed fingerprint, never the PAN).
// The table is split into shards, each with its own lock, hash map and LRU list: a
// request touches a handful of keys, each under one short lock, so two network threads
// rarely meet. When a shard is full, its least recently seen key is evicted: memory is
// max_keys entries, however many distinct keys arrive.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "fraud/sliding_window.h"

namespace paygate::fraud {

enum class KeyKind : std::uint8_t { card, merchant, ip, bin, card_at_merchant };

// A key's hash with its kind mixed in, so that kinds never collide.
std::uint64_t make_key(KeyKind kind, std::string_view text);

// Bucket widths (seconds) of each window; see Entry.
inline constexpr std::uint32_t bucket_1m = 10, bucket_1h = 600, bucket_24h = 7200, bucket_30d = 3 * 86400;

struct Entry {
  SlidingWindow<6> attempts_1m;                 // 6 x 10 s
  SlidingWindow<6> attempts_1h;                 // 6 x 10 min
  SlidingWindow<12> attempts_24h;               // 12 x 2 h
  SlidingWindow<6, std::uint64_t> amount_1h;
  SlidingWindow<12, std::uint64_t> amount_24h;
  SlidingWindow<6> answers_1h;                  // processor answers (feedback)
  SlidingWindow<6> declines_1h;
  SlidingWindow<12> auth_failures_24h;
  SlidingWindow<10> seen_30d;                   // 10 x 3 days
  // Client IPs: the most recent distinct cards (16-bit tags of their keys) and when.
  struct Seen {
    std::uint16_t card = 0;
    std::int64_t at = 0;
  };
  std::unique_ptr<std::vector<Seen>> recent_cards;  // allocated for IP keys only
};

class FraudState {
 public:
  explicit FraudState(std::size_t max_keys, std::size_t shards = 64);

  // Runs `f(Entry&, bool created)` on the key's entry under its shard's lock, creating
  // it (and evicting the shard's least recently used key when full). Returns f's result.
  template <class F>
  auto with(std::uint64_t key, F&& f) {
    Shard& shard = shards_[key % shards_.size()];
    std::lock_guard lock(shard.mutex);
    bool created = false;
    Entry& entry = shard.touch(key, per_shard_, created, evictions_);
    return f(entry, created);
  }

  std::size_t size() const;          // keys tracked now
  std::uint64_t evictions() const;   // keys dropped to stay within max_keys
  std::size_t max_keys() const { return per_shard_ * shards_.size(); }

  // The amount's robust z-score against the merchant's recent amounts (the last 256;
  // median and MAD refreshed every 16 payments); `record` adds it to them.
  double amount_zscore(const std::string& merchant, std::uint64_t amount, bool record = true);

 private:
  struct Shard {
    std::mutex mutex;
    std::list<std::uint64_t> lru;  // most recent first
    struct Slot {
      Entry entry;
      std::list<std::uint64_t>::iterator position;
    };
    std::unordered_map<std::uint64_t, Slot> entries;
    Entry& touch(std::uint64_t key, std::size_t capacity, bool& created, std::atomic<std::uint64_t>& evictions);
  };
  std::vector<Shard> shards_;
  std::size_t per_shard_;
  std::atomic<std::uint64_t> evictions_{0};  // for metrics

  std::mutex amounts_mutex_;
  struct Amounts {
    std::vector<std::uint64_t> ring;
    std::size_t next = 0;
    bool has_stats = false;
    double median = 0;
    double mad = 1;
    std::size_t since_stats = 0;  // amounts added since median and MAD were computed
  };
  std::unordered_map<std::string, Amounts> amounts_;  // per merchant: merchants are configured, few
};

}  // namespace paygate::fraud
