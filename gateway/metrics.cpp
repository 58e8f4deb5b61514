#include "gateway/metrics.h"

#include <fmt/format.h>

#include "gateway/upstream_pool.h"
#include "protocol/payment/field_policy.h"

namespace paygate::gateway {
namespace {

constexpr auto relaxed = std::memory_order_relaxed;
static_assert(static_cast<std::size_t>(UpstreamFault::breaker_open) + 1 == Metrics::fault_kinds);
static_assert(static_cast<std::size_t>(protocol::FieldAction::mask_in_logs) + 1 == Metrics::action_kinds);

std::size_t status_class(unsigned status) { return status >= 100 && status < 600 ? status / 100 - 1 : 4; }

}  // namespace

Metrics::Metrics(const config::Config& config)
    : config_(config),
      routes_(std::make_unique<RouteCounters[]>(config.routes.size())),
      faults_(std::make_unique<std::array<std::atomic<std::uint64_t>, fault_kinds>[]>(config.processors.size())),
      handshake_failures_(std::make_unique<std::atomic<std::uint64_t>[]>(config.listeners.size())) {}

void Metrics::request(std::size_t route, unsigned status, std::chrono::microseconds latency) {
  RouteCounters& r = routes_[route];
  r.by_class[status_class(status)].fetch_add(1, relaxed);
  const double seconds = static_cast<double>(latency.count()) / 1e6;
  std::size_t bucket = 0;
  while (bucket < latency_buckets.size() && seconds > latency_buckets[bucket]) ++bucket;
  r.buckets[bucket].fetch_add(1, relaxed);
  r.latency_us_sum.fetch_add(static_cast<std::uint64_t>(latency.count()), relaxed);
}

void Metrics::unrouted(unsigned status) { unrouted_[status_class(status)].fetch_add(1, relaxed); }
void Metrics::upstream_fault(std::size_t processor, std::size_t fault) {
  if (fault < fault_kinds) faults_[processor][fault].fetch_add(1, relaxed);
}
void Metrics::action(std::size_t action, std::size_t count) {
  if (action < action_kinds) actions_[action].fetch_add(count, relaxed);
}
void Metrics::authentication_failure() { authentication_failures_.fetch_add(1, relaxed); }
void Metrics::tls_handshake_failure(std::size_t listener) { handshake_failures_[listener].fetch_add(1, relaxed); }

std::string Metrics::render(const Gauges& gauges) const {
  std::string out;
  auto line = [&](std::string text) {
    out += text;
    out += '\n';
  };
  line("# HELP paygate_requests_total Requests answered, by route and status class.");
  line("# TYPE paygate_requests_total counter");
  static constexpr const char* classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  for (std::size_t r = 0; r < config_.routes.size(); ++r) {
    for (std::size_t c = 0; c < 5; ++c) {
      line(fmt::format("paygate_requests_total{{route=\"{}\",status=\"{}\"}} {}", config_.routes[r].name, classes[c],
                       routes_[r].by_class[c].load(relaxed)));
    }
  }
  for (std::size_t c = 0; c < 5; ++c) {
    line(fmt::format("paygate_requests_total{{route=\"-\",status=\"{}\"}} {}", classes[c], unrouted_[c].load(relaxed)));
  }
  line("# HELP paygate_request_duration_seconds Time from the request's first byte to its answer, by route.");
  line("# TYPE paygate_request_duration_seconds histogram");
  for (std::size_t r = 0; r < config_.routes.size(); ++r) {
    const std::string& name = config_.routes[r].name;
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < latency_buckets.size(); ++b) {
      cumulative += routes_[r].buckets[b].load(relaxed);
      line(fmt::format("paygate_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}", name, latency_buckets[b],
                       cumulative));
    }
    cumulative += routes_[r].buckets[latency_buckets.size()].load(relaxed);
    line(fmt::format("paygate_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}", name, cumulative));
    line(fmt::format("paygate_request_duration_seconds_sum{{route=\"{}\"}} {}", name,
                     static_cast<double>(routes_[r].latency_us_sum.load(relaxed)) / 1e6));
    line(fmt::format("paygate_request_duration_seconds_count{{route=\"{}\"}} {}", name, cumulative));
  }
  line("# HELP paygate_upstream_errors_total Failed exchanges with processors, by kind.");
  line("# TYPE paygate_upstream_errors_total counter");
  for (std::size_t p = 0; p < config_.processors.size(); ++p) {
    for (std::size_t f = 1; f < fault_kinds; ++f) {
      line(fmt::format("paygate_upstream_errors_total{{processor=\"{}\",kind=\"{}\"}} {}", config_.processors[p].name,
                       to_string(static_cast<UpstreamFault>(f)), faults_[p][f].load(relaxed)));
    }
  }
  line("# HELP paygate_breaker_state Processor circuit breaker: 0 closed, 1 half-open, 2 open.");
  line("# TYPE paygate_breaker_state gauge");
  for (std::size_t p = 0; p < config_.processors.size() && p < gauges.breaker_state.size(); ++p) {
    line(fmt::format("paygate_breaker_state{{processor=\"{}\"}} {}", config_.processors[p].name, gauges.breaker_state[p]));
  }
  line("# HELP paygate_open_connections Merchant connections open, by listener.");
  line("# TYPE paygate_open_connections gauge");
  for (std::size_t l = 0; l < config_.listeners.size() && l < gauges.open_connections.size(); ++l) {
    line(fmt::format("paygate_open_connections{{listener=\"{}\"}} {}", config_.listeners[l].name, gauges.open_connections[l]));
  }
  line("# HELP paygate_tls_handshake_failures_total Failed TLS handshakes, by listener.");
  line("# TYPE paygate_tls_handshake_failures_total counter");
  for (std::size_t l = 0; l < config_.listeners.size(); ++l) {
    line(fmt::format("paygate_tls_handshake_failures_total{{listener=\"{}\"}} {}", config_.listeners[l].name,
                     handshake_failures_[l].load(relaxed)));
  }
  line("# HELP paygate_field_actions_total Field actions performed (tokenize, detokenize, encryption...).");
  line("# TYPE paygate_field_actions_total counter");
  for (std::size_t a = 0; a < action_kinds; ++a) {
    line(fmt::format("paygate_field_actions_total{{action=\"{}\"}} {}",
                     protocol::to_string(static_cast<protocol::FieldAction>(a)), actions_[a].load(relaxed)));
  }
  line("# HELP paygate_authentication_failures_total Requests no merchant credential identified.");
  line("# TYPE paygate_authentication_failures_total counter");
  line(fmt::format("paygate_authentication_failures_total {}", authentication_failures_.load(relaxed)));
  return out;
}

}  // namespace paygate::gateway
