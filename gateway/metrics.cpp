#include "gateway/metrics.h"

#include <fmt/format.h>

#include "gateway/process_metrics.h"
#include "gateway/upstream/upstream.h"
#include "gateway/version.h"
#include "protocol/payment/field_action.h"

namespace paygate::gateway {
namespace {

constexpr auto relaxed = std::memory_order_relaxed;

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
static_assert(static_cast<std::size_t>(UpstreamFault::breaker_open) + 1 == Metrics::fault_kinds);
static_assert(static_cast<std::size_t>(HandshakeFailure::other) + 1 == handshake_failure_kinds);

std::size_t status_class(unsigned status) { return status >= 100 && status < 600 ? status / 100 - 1 : 4; }

constexpr std::array<std::string_view, 9> iso_mti_names{"0100", "0110", "0200", "0210", "0400",
                                                        "0410", "0420", "0430", "0800"};

std::size_t iso_mti_index(std::string_view mti) {
  for (std::size_t i = 0; i < iso_mti_names.size(); ++i) {
    if (iso_mti_names[i] == mti) return i;
  }
  return iso_mti_names.size();  // other
}

int code_char(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return 10 + (c - 'A');
  return -1;
}

std::size_t iso_code_index(std::string_view code) {
  if (code.size() != 2 || code_char(code[0]) < 0 || code_char(code[1]) < 0) return 37 * 37 - 1;
  return static_cast<std::size_t>(code_char(code[0]) * 36 + code_char(code[1]));
}

std::string iso_code_name(std::size_t index) {
  if (index >= 36 * 36) return "other";
  constexpr std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return {alphabet[index / 36], alphabet[index % 36]};
}

template <typename T>
T& find_or_add(std::map<std::string, std::unique_ptr<T>>& map, const std::string& name) {
  auto& slot = map[name];
  if (!slot) slot = std::make_unique<T>();
  return *slot;
}

}  // namespace

std::string_view to_string(HandshakeFailure failure) {
  switch (failure) {
    case HandshakeFailure::timeout: return "timeout";
    case HandshakeFailure::closed: return "closed";
    case HandshakeFailure::protocol: return "protocol";
    case HandshakeFailure::no_client_certificate: return "no_client_certificate";
    case HandshakeFailure::certificate_expired: return "certificate_expired";
    case HandshakeFailure::certificate_revoked: return "certificate_revoked";
    case HandshakeFailure::certificate_untrusted: return "certificate_untrusted";
    case HandshakeFailure::certificate_invalid: return "certificate_invalid";
    case HandshakeFailure::other: return "other";
  }
  return "other";
}

Metrics::Metrics(std::vector<std::string> listener_names)
    : listeners_(std::move(listener_names)),
      handshake_failures_(std::make_unique<std::array<Counter, handshake_failure_kinds>[]>(listeners_.size())),
      last_reload_ms_(unix_ms()),
      iso_exchanges_(std::make_unique<Counter[]>(iso_mtis * iso_codes)) {}

Metrics::RouteCounters& Metrics::route(const std::string& name) {
  std::lock_guard lock(registry_mutex_);
  return find_or_add(routes_, name);
}
Metrics::ProcessorCounters& Metrics::processor(const std::string& name) {
  std::lock_guard lock(registry_mutex_);
  return find_or_add(processors_, name);
}
Metrics::Counter& Metrics::key_use(const std::string& key_id, std::string_view use) {
  std::lock_guard lock(registry_mutex_);
  auto& [slot_use, counter] = key_use_[key_id];
  slot_use = std::string(use);
  if (!counter) counter = std::make_unique<Counter>(0);
  return *counter;
}

Metrics::FraudCounters& Metrics::fraud_profile(const std::string& name, const std::vector<std::string>& rules) {
  std::lock_guard lock(registry_mutex_);
  auto& counters = find_or_add(fraud_, name);
  for (const auto& rule : rules) {
    auto& slot = counters.rules[rule];
    if (!slot) slot = std::make_unique<Counter>(0);
  }
  return counters;
}

void Metrics::request(RouteCounters& r, unsigned status, std::chrono::microseconds latency) {
  r.by_class[status_class(status)].fetch_add(1, relaxed);
  const double seconds = static_cast<double>(latency.count()) / 1e6;
  std::size_t bucket = 0;
  while (bucket < latency_buckets.size() && seconds > latency_buckets[bucket]) ++bucket;
  r.buckets[bucket].fetch_add(1, relaxed);
  r.latency_us_sum.fetch_add(static_cast<std::uint64_t>(latency.count()), relaxed);
}

void Metrics::unrouted(unsigned status) { unrouted_[status_class(status)].fetch_add(1, relaxed); }
void Metrics::upstream_fault(ProcessorCounters& processor, std::size_t fault) {
  if (fault < fault_kinds) processor.faults[fault].fetch_add(1, relaxed);
}
void Metrics::action(std::size_t action, std::size_t count) {
  if (action < action_kinds) actions_[action].fetch_add(count, relaxed);
}
void Metrics::authentication_failure() { authentication_failures_.fetch_add(1, relaxed); }

void Metrics::fraud_feedback_dropped() { fraud_feedback_dropped_.fetch_add(1, relaxed); }
void Metrics::tls_handshake_failure(std::size_t listener, HandshakeFailure reason) {
  if (listener < listeners_.size()) handshake_failures_[listener][static_cast<std::size_t>(reason)].fetch_add(1, relaxed);
}
void Metrics::reload(bool succeeded) {
  reloads_[succeeded ? 1 : 0].fetch_add(1, relaxed);
  if (succeeded) last_reload_ms_.store(unix_ms(), relaxed);
}

void Metrics::iso_exchange(std::string_view mti, std::string_view response_code, std::chrono::microseconds latency) {
  iso_exchanges_[iso_mti_index(mti) * iso_codes + iso_code_index(response_code)].fetch_add(1, relaxed);
  request(iso_latency_, 200, latency);
}

std::string Metrics::render(const Gauges& gauges) const {
  std::string out;
  auto line = [&](std::string text) {
    out += text;
    out += '\n';
  };
  auto single = [&](std::string_view name, std::string_view type, std::string_view help, const auto& value) {
    append_single_metric(out, name, type, help, fmt::format("{}", value));
  };
  std::lock_guard lock(registry_mutex_);
  line("# HELP paygate_requests_total Requests answered, by route and status class.");
  line("# TYPE paygate_requests_total counter");
  static constexpr const char* classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  for (const auto& [name, counters] : routes_) {
    for (std::size_t c = 0; c < 5; ++c) {
      line(fmt::format("paygate_requests_total{{route=\"{}\",status=\"{}\"}} {}", name, classes[c],
                       counters->by_class[c].load(relaxed)));
    }
  }
  for (std::size_t c = 0; c < 5; ++c) {
    line(fmt::format("paygate_requests_total{{route=\"-\",status=\"{}\"}} {}", classes[c], unrouted_[c].load(relaxed)));
  }
  line("# HELP paygate_request_duration_seconds Time from the request's first byte to its answer, by route.");
  line("# TYPE paygate_request_duration_seconds histogram");
  for (const auto& [name, counters] : routes_) {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < latency_buckets.size(); ++b) {
      cumulative += counters->buckets[b].load(relaxed);
      line(fmt::format("paygate_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}", name, latency_buckets[b],
                       cumulative));
    }
    cumulative += counters->buckets[latency_buckets.size()].load(relaxed);
    line(fmt::format("paygate_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}", name, cumulative));
    line(fmt::format("paygate_request_duration_seconds_sum{{route=\"{}\"}} {}", name,
                     static_cast<double>(counters->latency_us_sum.load(relaxed)) / 1e6));
    line(fmt::format("paygate_request_duration_seconds_count{{route=\"{}\"}} {}", name, cumulative));
  }
  line("# HELP paygate_upstream_errors_total Failed exchanges with processors, by kind.");
  line("# TYPE paygate_upstream_errors_total counter");
  for (const auto& [name, counters] : processors_) {
    for (std::size_t f = 1; f < fault_kinds; ++f) {
      line(fmt::format("paygate_upstream_errors_total{{processor=\"{}\",kind=\"{}\"}} {}", name,
                       to_string(static_cast<UpstreamFault>(f)), counters->faults[f].load(relaxed)));
    }
  }
  line("# HELP paygate_breaker_state Processor circuit breaker: 0 closed, 1 half-open, 2 open.");
  line("# TYPE paygate_breaker_state gauge");
  for (const auto& [name, state] : gauges.breaker_state) {
    line(fmt::format("paygate_breaker_state{{processor=\"{}\"}} {}", name, state));
  }
  line("# HELP paygate_open_connections Merchant connections open, by listener.");
  line("# TYPE paygate_open_connections gauge");
  for (std::size_t l = 0; l < listeners_.size() && l < gauges.open_connections.size(); ++l) {
    line(fmt::format("paygate_open_connections{{listener=\"{}\"}} {}", listeners_[l], gauges.open_connections[l]));
  }
  line("# HELP paygate_tls_handshake_failures_total Failed TLS handshakes, by listener and reason.");
  line("# TYPE paygate_tls_handshake_failures_total counter");
  for (std::size_t l = 0; l < listeners_.size(); ++l) {
    for (std::size_t r = 0; r < handshake_failure_kinds; ++r) {
      line(fmt::format("paygate_tls_handshake_failures_total{{listener=\"{}\",reason=\"{}\"}} {}", listeners_[l],
                       to_string(static_cast<HandshakeFailure>(r)), handshake_failures_[l][r].load(relaxed)));
    }
  }
  line("# HELP paygate_field_actions_total Field actions performed (tokenize, detokenize, encryption...).");
  line("# TYPE paygate_field_actions_total counter");
  for (std::size_t a = 0; a < action_kinds; ++a) {
    line(fmt::format("paygate_field_actions_total{{action=\"{}\"}} {}",
                     protocol::to_string(static_cast<protocol::FieldAction>(a)), actions_[a].load(relaxed)));
  }
  line("# HELP paygate_key_use_total Requests that used a key, by key id (keyring ids; jwe:<processor>) and use.");
  line("# TYPE paygate_key_use_total counter");
  for (const auto& [id, entry] : key_use_) {
    line(fmt::format("paygate_key_use_total{{key_id=\"{}\",use=\"{}\"}} {}", id, entry.first, entry.second->load(relaxed)));
  }
  line("# HELP paygate_authentication_failures_total Requests no merchant credential identified.");
  line("# TYPE paygate_authentication_failures_total counter");
  line(fmt::format("paygate_authentication_failures_total {}", authentication_failures_.load(relaxed)));
  line("# HELP paygate_fraud_feedback_dropped_total Processor answers not fed back to the screening state (work queue full).");
  line("# TYPE paygate_fraud_feedback_dropped_total counter");
  line(fmt::format("paygate_fraud_feedback_dropped_total {}", fraud_feedback_dropped_.load(relaxed)));
  line("# HELP paygate_reloads_total Configuration reloads, by outcome.");
  line("# TYPE paygate_reloads_total counter");
  line(fmt::format("paygate_reloads_total{{outcome=\"success\"}} {}", reloads_[1].load(relaxed)));
  line(fmt::format("paygate_reloads_total{{outcome=\"refused\"}} {}", reloads_[0].load(relaxed)));
  single("paygate_last_reload_success_timestamp_seconds", "gauge",
         "When the configuration serving now was loaded (start or reload).",
         fmt::format("{:.3f}", static_cast<double>(last_reload_ms_.load(relaxed)) / 1e3));
  line("# HELP paygate_build_info The running build: version and commit.");
  line("# TYPE paygate_build_info gauge");
  line(fmt::format("paygate_build_info{{version=\"{}\",commit=\"{}\"}} 1", paygate::version, paygate::commit));
  if (gauges.audit) {
    single("paygate_audit_queue_depth", "gauge", "Audit records waiting for the writer.", gauges.audit_queue_depth);
    single("paygate_audit_write_failures_total", "counter",
           "Audit batches the writer could not write (kept and retried).", gauges.audit_write_failures);
    single("paygate_audit_healthy", "gauge", "1 while audit writes succeed, 0 while they fail.",
           gauges.audit_healthy ? 1 : 0);
  }
  if (gauges.vault) {
    single("paygate_vault_queue_depth", "gauge", "Vault and key work waiting for a blocking thread.",
           gauges.vault_queue_depth);
  }
  single("paygate_vault_errors_total", "counter", "Requests refused because the vault could not serve them (503).",
         vault_errors_.load(relaxed));
  single("paygate_request_step_stalls_total", "counter",
         "Request steps begun on a network thread that started again on the blocking pool (vault work).",
         request_step_stalls_.load(relaxed));
  single("paygate_kek_unavailable_total", "counter",
         "Reloads refused because a KEK's token (HSM) or module did not answer.", kek_unavailable_.load(relaxed));
  line("# HELP paygate_iso8583_exchanges_total ISO 8583 exchanges answered, by request MTI and response code.");
  line("# TYPE paygate_iso8583_exchanges_total counter");
  for (std::size_t m = 0; m < iso_mtis; ++m) {
    for (std::size_t c = 0; c < iso_codes; ++c) {
      const auto n = iso_exchanges_[m * iso_codes + c].load(relaxed);
      if (n == 0) continue;  // 1369 codes per MTI: only those seen
      line(fmt::format("paygate_iso8583_exchanges_total{{mti=\"{}\",response_code=\"{}\"}} {}",
                       m < iso_mti_names.size() ? iso_mti_names[m] : "other", iso_code_name(c), n));
    }
  }
  line("# HELP paygate_iso8583_exchange_duration_seconds ISO 8583 request to answer, at the gateway.");
  line("# TYPE paygate_iso8583_exchange_duration_seconds histogram");
  {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < latency_buckets.size(); ++b) {
      cumulative += iso_latency_.buckets[b].load(relaxed);
      line(fmt::format("paygate_iso8583_exchange_duration_seconds_bucket{{le=\"{}\"}} {}", latency_buckets[b], cumulative));
    }
    cumulative += iso_latency_.buckets[latency_buckets.size()].load(relaxed);
    line(fmt::format("paygate_iso8583_exchange_duration_seconds_bucket{{le=\"+Inf\"}} {}", cumulative));
    line(fmt::format("paygate_iso8583_exchange_duration_seconds_sum {}",
                     static_cast<double>(iso_latency_.latency_us_sum.load(relaxed)) / 1e6));
    line(fmt::format("paygate_iso8583_exchange_duration_seconds_count {}", cumulative));
  }
  line("# HELP paygate_iso8583_links_up ISO 8583 processor links connected.");
  line("# TYPE paygate_iso8583_links_up gauge");
  for (const auto& [name, counters] : processors_) {
    if (!gauges.iso_processors.contains(name)) continue;
    line(fmt::format("paygate_iso8583_links_up{{processor=\"{}\"}} {}", name, counters->links_up.load(relaxed)));
  }
  line("# HELP paygate_iso8583_link_events_total ISO 8583 link events: matched answers, late answers, time-outs, drops, unreadable answers.");
  line("# TYPE paygate_iso8583_link_events_total counter");
  for (const auto& [name, counters] : processors_) {
    if (!gauges.iso_processors.contains(name)) continue;
    const std::pair<const char*, const Counter*> events[] = {{"matched", &counters->iso_matched},
                                                             {"late_answer", &counters->iso_late},
                                                             {"timeout", &counters->iso_timeouts},
                                                             {"link_drop", &counters->iso_link_drops},
                                                             {"bad_answer", &counters->iso_bad_answers}};
    for (const auto& [event, counter] : events) {
      line(fmt::format("paygate_iso8583_link_events_total{{processor=\"{}\",event=\"{}\"}} {}", name, event,
                       counter->load(relaxed)));
    }
  }
  line("# HELP paygate_fraud_decisions_total Fraud screening verdicts by profile and outcome (dry_run included).");
  line("# TYPE paygate_fraud_decisions_total counter");
  static constexpr const char* outcomes[] = {"allow", "review", "block"};
  for (const auto& [name, counters] : fraud_) {
    for (std::size_t o = 0; o < 3; ++o) {
      line(fmt::format("paygate_fraud_decisions_total{{profile=\"{}\",outcome=\"{}\"}} {}", name, outcomes[o],
                       counters->outcomes[o].load(relaxed)));
    }
  }
  line("# HELP paygate_fraud_enforced_total What screening did, by profile and outcome (dry_run: always allow).");
  line("# TYPE paygate_fraud_enforced_total counter");
  for (const auto& [name, counters] : fraud_) {
    for (std::size_t o = 0; o < 3; ++o) {
      line(fmt::format("paygate_fraud_enforced_total{{profile=\"{}\",outcome=\"{}\"}} {}", name, outcomes[o],
                       counters->enforced[o].load(relaxed)));
    }
  }
  line("# HELP paygate_fraud_rule_hits_total Fraud rules that fired, by profile and rule.");
  line("# TYPE paygate_fraud_rule_hits_total counter");
  for (const auto& [name, counters] : fraud_) {
    for (const auto& [rule, counter] : counters->rules) {
      line(fmt::format("paygate_fraud_rule_hits_total{{profile=\"{}\",rule=\"{}\"}} {}", name, rule, counter->load(relaxed)));
    }
  }
  line("# HELP paygate_fraud_tracked_keys Keys (cards, IPs, merchants, BINs) the screening state holds.");
  line("# TYPE paygate_fraud_tracked_keys gauge");
  line(fmt::format("paygate_fraud_tracked_keys {}", gauges.fraud_keys));
  line("# HELP paygate_fraud_evictions_total Keys dropped to stay within fraud.max_keys.");
  line("# TYPE paygate_fraud_evictions_total counter");
  line(fmt::format("paygate_fraud_evictions_total {}", gauges.fraud_evictions));
  line("# HELP paygate_fraud_state_errors_total Shared fraud state (Redis) calls that failed; the fail_open/fail_closed policy applied.");
  line("# TYPE paygate_fraud_state_errors_total counter");
  line(fmt::format("paygate_fraud_state_errors_total {}", gauges.fraud_state_errors));
  line("# HELP paygate_config_generation The configuration snapshot serving new requests (1 at start).");
  line("# TYPE paygate_config_generation gauge");
  line(fmt::format("paygate_config_generation {}", gauges.config_generation));
  if (gauges.certificates) {
    line("# HELP paygate_certificate_not_after_seconds When each loaded certificate expires (unix time), by kind and owner.");
    line("# TYPE paygate_certificate_not_after_seconds gauge");
    for (const auto& c : *gauges.certificates) {
      line(fmt::format("paygate_certificate_not_after_seconds{{kind=\"{}\",name=\"{}\"}} {}", c.kind, c.name, c.not_after));
    }
  }
  out += render_process_metrics();
  return out;
}

}  // namespace paygate::gateway
