// Where screening state lives, behind one small interface: the in-process state
// (fraud/memory_store.h) or Redis shared by every instance (fraud/redis_store.h). A
// store knows windows and keys, not signals: the Screener turns the signal table
// (fraud/signals.h) into reads and the reads' totals back into signals, the same way
// for either store.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace paygate::fraud {

// One window of one key: tracked_windows()[window] of the key whose text is `key` (a
// keyed card fingerprint, a merchant id, an IP, a BIN, "fingerprint|merchant").
struct WindowRead {
  std::size_t window = 0;
  std::string_view key;
  std::uint64_t add = 0;  // what this request adds, when recording
};

// The distinct cards a client IP used in the last hour (at most `distinct_remembered`).
inline constexpr std::size_t distinct_remembered = 64;
struct DistinctCards {
  std::string_view ip;
  std::string_view card_key;  // may be empty (a request without a card)
};
struct DistinctResult {
  std::uint64_t before = 0;  // cards remembered for the IP before this request
  bool seen_before = false;  // this card among them
};

class WindowStore {
 public:
  virtual ~WindowStore() = default;

  // Sets before[i] to reads[i]'s window total as it stood before this request, and the
  // distinct cards of `distinct` (when not null). With `record`, adds each read's `add`
  // and this card to the IP's cards; without, changes nothing (creates no key, evicts
  // none). `now`: seconds. False when the state cannot be reached (nothing is known of
  // what was recorded). Thread-safe; blocking for a remote store.
  virtual bool apply(std::span<const WindowRead> reads, const DistinctCards* distinct, bool record,
                     std::int64_t now, std::span<std::uint64_t> before, DistinctResult& distinct_result) = 0;

  virtual std::size_t tracked_keys() const = 0;  // in-process state only
  virtual std::uint64_t evictions() const = 0;
  virtual std::uint64_t state_errors() const = 0;  // calls that could not reach the state
  // Whether every call stays in this process (no network round trip), so that a network
  // thread may make it.
  virtual bool in_process() const = 0;
};

}  // namespace paygate::fraud
