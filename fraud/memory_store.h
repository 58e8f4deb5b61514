// The in-process screening state: per instance, bounded by max_keys (fraud/state.h).
#pragma once

#include "fraud/state.h"
#include "fraud/window_store.h"

namespace paygate::fraud {

class MemoryStore final : public WindowStore {
 public:
  explicit MemoryStore(std::size_t max_keys) : state_(max_keys) {}

  bool apply(std::span<const WindowRead> reads, const DistinctCards* distinct, bool record, std::int64_t now,
             std::span<std::uint64_t> before, DistinctResult& distinct_result) override;
  std::size_t tracked_keys() const override { return state_.size(); }
  std::uint64_t evictions() const override { return state_.evictions(); }
  std::uint64_t state_errors() const override { return 0; }
  bool in_process() const override { return true; }

 private:
  FraudState state_;
};

}  // namespace paygate::fraud
