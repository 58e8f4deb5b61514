// Fraud rules and profiles: what security teams write in config (docs/fraud.md). A rule
// is a conjunction of conditions on signals with either a weight (added to the score) or
// a direct outcome. A profile sums the weights of the rules that fired; its thresholds
// turn the score into allow, review or block, and the most severe of that and any direct
// outcome is the decision. In dry_run the decision is computed and recorded but the
// request is always let through.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fraud/signals.h"

namespace paygate::fraud {

enum class Outcome { allow, review, block };  // in order of severity
std::string_view to_string(Outcome outcome);

struct Condition {
  enum class Op { above, at_least, below, at_most };
  Signal signal = Signal::amount;
  Op op = Op::above;
  double value = 0;
  bool holds(const SignalValues& values) const;
};

struct Rule {
  std::string name;                  // [a-z0-9_-], used in metrics labels and audit records
  std::vector<Condition> when;       // all must hold
  std::int32_t score = 0;            // added when it fires
  Outcome outcome = Outcome::allow;  // review or block: decides directly when it fires
};

struct Profile {
  std::string name;
  bool dry_run = false;
  std::int32_t review_at = 50;    // score at or above: review
  std::int32_t block_at = 100;    // score at or above: block
  std::string block_code = "59";  // ISO 8583 DE 39 for a blocked request (suspected fraud)
  std::vector<Rule> rules;
};

struct Decision {
  Outcome outcome = Outcome::allow;  // what is done (allow in dry_run)
  Outcome verdict = Outcome::allow;  // what the rules say
  std::int32_t score = 0;
  std::vector<std::string> fired;  // rule names, in profile order
  std::string reason;              // the rule that decided a review/block, or "score"
  bool dry_run = false;
  bool state_unavailable = false;  // the shared state could not be read (fail_open / fail_closed applied)
  SignalValues signals{};
};

Decision evaluate(const Profile& profile, const SignalValues& signals);

}  // namespace paygate::fraud
