// The screening stage: from what one request says (an Observation, holding no card
// number — the card is its keyed fingerprint) and what the state remembers, the signals;
// from the signals and the route's profile, the decision. The attempt is recorded before
// the signals are read, so counts include it; a blocked attempt still counts (that is how
// card testing shows). Processor answers come back through feedback(). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fraud/rules.h"
#include "fraud/state.h"

namespace paygate::fraud {

struct Observation {
  std::string card_key;          // keyed fingerprint of the PAN (hex), or "" when no card
  std::string bin;               // first six digits, or ""
  std::string merchant;
  std::string client_ip;
  std::uint64_t amount = 0;      // minor units
  std::string billing_country;   // ISO 3166 alpha-2, or ""
  std::string issuing_country;   // the BIN's, from fraud.bin_table, or "" when unknown
};

// Processor answers, for the feedback signals.
struct Feedback {
  bool declined = false;
  bool auth_failure = false;  // CVV or expiry failure
};

class Screener {
 public:
  virtual ~Screener() = default;
  // `now`: seconds (the caller's clock; tests step it).
  virtual Decision screen(const Profile& profile, const Observation& observation, std::int64_t now) = 0;
  // The signals as this request would see them, recording nothing (explain).
  virtual SignalValues peek(const Observation& observation, std::int64_t now) = 0;
  virtual void feedback(const Observation& observation, const Feedback& feedback, std::int64_t now) = 0;
  virtual std::size_t tracked_keys() const = 0;    // in-process state only
  virtual std::uint64_t evictions() const = 0;
  virtual std::uint64_t state_errors() const = 0;  // a shared state that did not answer
  // Whether every call stays in this process (no network round trip), so a network
  // thread may make it.
  virtual bool in_process() const = 0;
};

// The in-process state: per instance, bounded by max_keys.
class MemoryScreener final : public Screener {
 public:
  explicit MemoryScreener(std::size_t max_keys);

  Decision screen(const Profile& profile, const Observation& observation, std::int64_t now) override;
  SignalValues peek(const Observation& observation, std::int64_t now) override;
  void feedback(const Observation& observation, const Feedback& feedback, std::int64_t now) override;
  std::size_t tracked_keys() const override { return state_.size(); }
  std::uint64_t evictions() const override { return state_.evictions(); }
  std::uint64_t state_errors() const override { return 0; }
  bool in_process() const override { return true; }

 private:
  SignalValues signals(const Observation& o, std::int64_t now, bool record);

  FraudState state_;
};

}  // namespace paygate::fraud
