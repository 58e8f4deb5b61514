#include "fraud/rules.h"

namespace paygate::fraud {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::allow:
      return "allow";
    case Outcome::review:
      return "review";
    case Outcome::block:
      return "block";
  }
  return "allow";
}

bool Condition::holds(const SignalValues& values) const {
  const double v = values[static_cast<std::size_t>(signal)];
  switch (op) {
    case Op::above:
      return v > value;
    case Op::at_least:
      return v >= value;
    case Op::below:
      return v < value;
    case Op::at_most:
      return v <= value;
  }
  return false;
}

Decision evaluate(const Profile& profile, const SignalValues& signals) {
  Decision d;
  d.signals = signals;
  d.dry_run = profile.dry_run;
  Outcome direct = Outcome::allow;
  std::string direct_reason;
  for (const auto& rule : profile.rules) {
    bool fires = !rule.when.empty();
    for (const auto& c : rule.when) fires = fires && c.holds(signals);
    if (!fires) continue;
    d.fired.push_back(rule.name);
    d.score += rule.score;
    if (rule.outcome > direct) {
      direct = rule.outcome;
      direct_reason = rule.name;
    }
  }
  const Outcome by_score = d.score >= profile.block_at    ? Outcome::block
                           : d.score >= profile.review_at ? Outcome::review
                                                          : Outcome::allow;
  if (direct >= by_score && direct != Outcome::allow) {
    d.verdict = direct;
    d.reason = direct_reason;
  } else {
    d.verdict = by_score;
    d.reason = by_score == Outcome::allow ? "" : "score";
  }
  d.outcome = profile.dry_run ? Outcome::allow : d.verdict;
  return d;
}

}  // namespace paygate::fraud
