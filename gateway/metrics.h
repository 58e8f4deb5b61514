// Counters for the admin listener's /metrics (Prometheus text format). Every label value
// comes from the configuration or from paygate's own fixed vocabularies (status classes,
// fault names, action names): never from what a merchant sent. Lock-free on the request
// path (relaxed atomics); rendering reads them without stopping anyone.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"

namespace paygate::gateway {

class Metrics {
 public:
  static constexpr std::array<double, 11> latency_buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                          0.1,   0.25,   0.5,   1.0,  2.5};
  static constexpr std::size_t fault_kinds = 10;  // UpstreamFault values (static_assert in metrics.cpp)
  static constexpr std::size_t action_kinds = 8;  // protocol::FieldAction values

  explicit Metrics(const config::Config& config);

  // A request that reached `route` (index in config.routes) was answered.
  void request(std::size_t route, unsigned status, std::chrono::microseconds latency);
  void unrouted(unsigned status);  // 404, 405, 400 before routing
  void upstream_fault(std::size_t processor, std::size_t fault);
  void action(std::size_t action, std::size_t count = 1);
  void authentication_failure();
  void tls_handshake_failure(std::size_t listener);

  struct Gauges {
    std::vector<std::uint32_t> open_connections;  // per listener
    std::vector<int> breaker_state;               // per processor: 0 closed, 1 half-open, 2 open
  };
  std::string render(const Gauges& gauges) const;

 private:
  struct RouteCounters {
    std::array<std::atomic<std::uint64_t>, 5> by_class{};  // 1xx..5xx
    std::array<std::atomic<std::uint64_t>, latency_buckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> latency_us_sum{0};
  };
  const config::Config& config_;
  std::unique_ptr<RouteCounters[]> routes_;
  std::array<std::atomic<std::uint64_t>, 5> unrouted_{};
  std::unique_ptr<std::array<std::atomic<std::uint64_t>, fault_kinds>[]> faults_;
  std::array<std::atomic<std::uint64_t>, action_kinds> actions_{};
  std::atomic<std::uint64_t> authentication_failures_{0};
  std::unique_ptr<std::atomic<std::uint64_t>[]> handshake_failures_;
};

}  // namespace paygate::gateway
