// Each merchant's recent amounts (the last 256), for the amount_zscore signal: a robust
// z-score (median and MAD, refreshed every 16 payments) of a new amount against them.
// Per instance, also when the rest of the state is shared in Redis (docs/fraud.md).
// Thread-safe (one short lock per call).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace paygate::fraud {

class AmountStats {
 public:
  // The amount's z-score against the merchant's recent amounts (0 until 20 are known);
  // `record` adds it to them.
  double zscore(const std::string& merchant, std::uint64_t amount, bool record);

 private:
  struct Amounts {
    std::vector<std::uint64_t> ring;
    std::size_t next = 0;
    bool has_stats = false;
    double median = 0;
    double mad = 1;
    std::size_t since_stats = 0;  // amounts added since median and MAD were computed
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Amounts> amounts_;  // per merchant: merchants are configured, few
};

}  // namespace paygate::fraud
