// The screening stage: from what one request says (an Observation, holding no card
// number — the card is its keyed fingerprint) and what the state remembers, the signals
// of the signal table (fraud/signals.h); from the signals and the route's profile, the
// decision. The attempt is recorded before the signals are read, so counts include it;
// a blocked attempt still counts (that is how card testing shows). Processor answers
// come back through feedback(). One class for every state: the WindowStore keeps the
// windows (in process or in Redis). Thread-safe; blocking when the store is remote.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fraud/amount_stats.h"
#include "fraud/rules.h"
#include "fraud/window_store.h"

namespace paygate::fraud {

struct Observation {
  std::string card_key;  // keyed fingerprint of the PAN (hex), or "" when no card
  std::string bin;       // first six digits, or ""
  std::string merchant;
  std::string client_ip;
  std::uint64_t amount = 0;     // minor units
  std::string billing_country;  // ISO 3166 alpha-2, or ""
  std::string issuing_country;  // the BIN's, from fraud.bin_table, or "" when unknown
};

// Processor answers, for the feedback signals.
struct Feedback {
  bool declined = false;
  bool auth_failure = false;  // CVV or expiry failure
};

class Screener {
 public:
  // `fail_closed`: while the store cannot be reached, block (true) or allow (false);
  // either way the decision says state_unavailable and the error is counted.
  Screener(std::unique_ptr<WindowStore> store, bool fail_closed);
  virtual ~Screener() = default;

  // `now`: seconds (the caller's clock; tests step it).
  Decision screen(const Profile& profile, const Observation& observation, std::int64_t now);
  // The signals as this request would see them, recording nothing and creating nothing
  // (explain).
  SignalValues peek(const Observation& observation, std::int64_t now);
  void feedback(const Observation& observation, const Feedback& feedback, std::int64_t now);

  std::size_t tracked_keys() const { return store_->tracked_keys(); }  // in-process state only
  std::uint64_t evictions() const { return store_->evictions(); }
  std::uint64_t state_errors() const { return store_->state_errors(); }
  // Whether every call stays in this process, so that a network thread may make it.
  bool in_process() const { return store_->in_process(); }

 private:
  // False when the store could not be reached.
  bool signals(const Observation& o, std::int64_t now, bool record, SignalValues& out);

  std::unique_ptr<WindowStore> store_;
  bool fail_closed_;
  AmountStats amounts_;  // per instance, whatever the store
};

// The in-process state: per instance, bounded by max_keys.
class MemoryScreener final : public Screener {
 public:
  explicit MemoryScreener(std::size_t max_keys);
};

}  // namespace paygate::fraud
