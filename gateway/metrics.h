// Counters for the admin listener's /metrics (Prometheus text format). Every label value
// comes from the configuration or from paygate's own fixed vocabularies (status classes,
// fault names, action names, handshake failure reasons): never from what a merchant sent.
//
// Counters live as long as the process, across reloads: a snapshot looks up (or adds) the
// counters of its routes, processors and keys by name once, when it is built, and the
// request path then only bumps relaxed atomics through those handles. A route a reload
// removed keeps its last values, as Prometheus expects of a counter.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/payment/field_action.h"

namespace paygate::gateway {

// Why a merchant's TLS handshake failed: a fixed vocabulary (net/tls_failure.h).
enum class HandshakeFailure {
  timeout,
  closed,                  // the client went away mid-handshake
  protocol,                // no shared version or cipher, not TLS at all, bad record
  no_client_certificate,   // the listener requires one and none came
  certificate_expired,     // or not yet valid
  certificate_revoked,
  certificate_untrusted,   // not issued by the listener's client CA
  certificate_invalid,     // any other verification failure
  other,
};
inline constexpr std::size_t handshake_failure_kinds = 9;
std::string_view to_string(HandshakeFailure failure);

class Metrics {
 public:
  static constexpr std::array<double, 11> latency_buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                          0.1,   0.25,   0.5,   1.0,  2.5};
  static constexpr std::size_t fault_kinds = 13;  // UpstreamFault values (static_assert in metrics.cpp)
  static constexpr std::size_t action_kinds = protocol::field_action_count;
  using Counter = std::atomic<std::uint64_t>;

  struct RouteCounters {
    std::array<Counter, 5> by_class{};  // 1xx..5xx
    std::array<Counter, latency_buckets.size() + 1> buckets{};
    Counter latency_us_sum{0};
  };
  struct ProcessorCounters {
    std::array<Counter, fault_kinds> faults{};
    // ISO 8583 links (gateway/upstream/iso_links.h)
    std::atomic<std::int64_t> links_up{0};
    Counter iso_matched{0}, iso_late{0}, iso_timeouts{0}, iso_link_drops{0}, iso_bad_answers{0};
  };

  // A fraud profile's decisions by outcome and hits by rule (names from the config).
  struct FraudCounters {
    std::array<Counter, 3> outcomes{};  // allow, review, block (what the rules said; dry_run included)
    std::array<Counter, 3> enforced{};  // what was done
    std::map<std::string, std::unique_ptr<Counter>> rules;
  };

  // Listeners cannot change by reload, so their counters are fixed here.
  explicit Metrics(std::vector<std::string> listener_names);

  // Handles for a snapshot: stable addresses, created on first use. They take a lock:
  // call them while building a snapshot, not per request.
  RouteCounters& route(const std::string& name);
  ProcessorCounters& processor(const std::string& name);
  // `use`: the key's keyring use (data, fpe, fingerprint, audit) or "jwe" for a
  // processor's JWE key; a key id always has the one use.
  Counter& key_use(const std::string& key_id, std::string_view use);
  FraudCounters& fraud_profile(const std::string& name, const std::vector<std::string>& rules);

  void request(RouteCounters& route, unsigned status, std::chrono::microseconds latency);
  void unrouted(unsigned status);  // 404, 405, 400 before routing
  void upstream_fault(ProcessorCounters& processor, std::size_t fault);
  void action(std::size_t action, std::size_t count = 1);
  void authentication_failure();
  // Fraud feedback that could not be queued (the blocking pool was full): it is lost.
  void fraud_feedback_dropped();
  void tls_handshake_failure(std::size_t listener, HandshakeFailure reason);
  void reload(bool succeeded);  // also stamps the last successful reload (or the start)
  // A request refused because the vault (or the pool its work queues on) could not serve it.
  void vault_error() { vault_errors_.fetch_add(1, std::memory_order_relaxed); }
  // A request step begun memory-only on a network thread that had to start again on the
  // blocking pool (a card not in the token cache, a vault detokenization, payment records).
  void request_step_stalled() { request_step_stalls_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t request_step_stalls() const { return request_step_stalls_.load(std::memory_order_relaxed); }
  // A reload refused because a KEK's token (HSM) or module did not answer.
  void kek_unavailable() { kek_unavailable_.fetch_add(1, std::memory_order_relaxed); }
  // One ISO 8583 exchange answered: its request MTI and the answer's response code (both
  // folded into fixed vocabularies: MTIs 0100..0830 by name, codes of two letters or
  // digits; anything else is "other").
  void iso_exchange(std::string_view mti, std::string_view response_code, std::chrono::microseconds latency);

  // Read at render time from whatever snapshot is current.
  // One certificate a snapshot serves or trusts: kind (listener, admin, processor_ca...),
  // the listener's or processor's name, and its not-after time.
  struct CertificateExpiry {
    std::string kind;
    std::string name;
    std::int64_t not_after = 0;
  };

  struct Gauges {
    std::vector<std::uint32_t> open_connections;               // per listener
    std::vector<std::pair<std::string, int>> breaker_state;    // per processor: 0 closed, 1 half-open, 2 open
    std::uint64_t config_generation = 0;
    std::set<std::string> iso_processors;  // names of ISO 8583 processors in the snapshot
    std::size_t fraud_keys = 0;            // keys the screening state tracks
    std::uint64_t fraud_evictions = 0;
    std::uint64_t fraud_state_errors = 0;  // shared state (Redis) calls that failed
    bool audit = false;                    // an audit log is open
    std::size_t audit_queue_depth = 0;     // records waiting for the writer
    std::uint64_t audit_write_failures = 0;
    bool audit_healthy = true;
    bool vault = false;                    // a vault is configured
    std::size_t vault_queue_depth = 0;     // work waiting for a blocking thread
    const std::vector<CertificateExpiry>* certificates = nullptr;
  };
  std::string render(const Gauges& gauges) const;

 private:
  const std::vector<std::string> listeners_;
  mutable std::mutex registry_mutex_;  // guards the maps' shape, never the counters
  std::map<std::string, std::unique_ptr<RouteCounters>> routes_;
  std::map<std::string, std::unique_ptr<ProcessorCounters>> processors_;
  std::map<std::string, std::pair<std::string, std::unique_ptr<Counter>>> key_use_;  // id -> use, count
  std::map<std::string, std::unique_ptr<FraudCounters>> fraud_;
  std::array<Counter, 5> unrouted_{};
  std::array<Counter, action_kinds> actions_{};
  Counter authentication_failures_{0};
  Counter fraud_feedback_dropped_{0};
  std::unique_ptr<std::array<Counter, handshake_failure_kinds>[]> handshake_failures_;
  std::array<Counter, 2> reloads_{};  // failed, succeeded
  Counter kek_unavailable_{0};
  Counter vault_errors_{0};
  Counter request_step_stalls_{0};
  std::atomic<std::int64_t> last_reload_ms_{0};  // unix time of the start or last successful reload
  static constexpr std::size_t iso_mtis = 10;   // 0100 0110 ... named MTIs, then "other"
  static constexpr std::size_t iso_codes = 37 * 37;  // [0-9A-Z]{2}, plus "other" at the end
  std::unique_ptr<Counter[]> iso_exchanges_;     // iso_mtis * iso_codes
  RouteCounters iso_latency_;
};

}  // namespace paygate::gateway
