// The flow's one seam to fraud screening (fraud/): one request's observation — the card
// as its keyed fingerprint scoped to screening, never the PAN — its decision, the
// decision's metrics and audit record, and the processor's answer fed back. Blocking
// when the screening state is remote (Redis): in_process() says when a network thread
// may call screen() and feedback(). One per screened request; not thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "crypto/fingerprint.h"
#include "fraud/screener.h"
#include "gateway/metrics.h"

namespace paygate::gateway {

struct Snapshot;

// A profile's counters and its rules' hit counters in rule order (gateway/metrics.h).
struct FraudCounters {
  Metrics::FraudCounters* counters = nullptr;
  std::vector<Metrics::Counter*> rules;
};

class Screening {
 public:
  // Null when `route` has no fraud profile (or there is no screener).
  static std::unique_ptr<Screening> for_route(const Snapshot& snapshot, const config::Route& route,
                                              fraud::Screener* screener, std::string_view merchant,
                                              std::string_view client_ip);

  // The first card number of the request (later ones are ignored): its fingerprint,
  // BIN and the BIN's issuing country are taken; the number is not kept.
  void note_card(std::string_view pan);
  void note_payment(std::uint64_t amount, std::string_view billing_country);

  // Records the attempt and decides; counts the decision in the profile's metrics.
  const fraud::Decision& screen();
  const fraud::Decision* decision() const { return decision_ ? &*decision_ : nullptr; }
  const fraud::Profile& profile() const { return profile_; }
  bool in_process() const { return screener_.in_process(); }

  // The processor's answer, for the feedback signals.
  void feedback(bool approved, std::string_view response_code);

  // The decision for the audit record: profile, mode, verdict, outcome, score, rules, reason.
  boost::json::object record() const;

  // Without recording anything: the signals this request would see (fraud explain).
  fraud::SignalValues peek() const;
  bool card_seen() const { return !observation_.card_key.empty(); }

  // `fingerprints` may be null (cards are then not screened); `counters` may be null
  // (nothing counted: fraud explain).
  Screening(const config::FraudConfig& fraud, const crypto::Fingerprinter* fingerprints,
            const fraud::Profile& profile, fraud::Screener& screener, std::string_view merchant,
            std::string_view client_ip, const FraudCounters* counters);

 private:
  const config::FraudConfig& fraud_;
  const crypto::Fingerprinter* fingerprints_;
  const FraudCounters* counters_;
  const fraud::Profile& profile_;
  fraud::Screener& screener_;
  fraud::Observation observation_;
  std::optional<fraud::Decision> decision_;
};

// The record of a decision (also what `fraud explain` prints).
boost::json::object fraud_record(const fraud::Profile& profile, const fraud::Decision& decision);

// The screening state the configuration asks for (in process, or Redis).
std::unique_ptr<fraud::Screener> make_screener(const config::FraudConfig& config);

// Seconds on the clock fraud windows use.
std::int64_t fraud_now();

}  // namespace paygate::gateway
