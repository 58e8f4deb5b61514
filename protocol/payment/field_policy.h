// Field policies: for each route, which fields get which actions, in order. This module
// applies them to a message; the actions themselves (tokens, JWE, envelopes) come from
// outside through FieldActions, so protocol/ stays free of crypto. The actions and what
// each needs: protocol/payment/field_action.h.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/payment/field_action.h"
#include "protocol/payment/field_path.h"
#include "protocol/payment/validation.h"

namespace paygate::protocol {

struct FieldRule {
  FieldPath path;
  std::vector<FieldAction> actions;  // applied in order
};

using FieldPolicy = std::vector<FieldRule>;

// What performs an action on one value. Implementations may block (vault, RSA): callers
// run policies off the network threads.
class FieldActions {
 public:
  virtual ~FieldActions() = default;
  // The new value, or why there is none. Never puts the value into the error.
  struct Outcome {
    std::optional<boost::json::value> value;
    ActionError error = ActionError::internal;  // when !value
  };
  // Not called for drop and mask_in_logs, which the policy engine does itself.
  virtual Outcome perform(FieldAction action, const std::string& path, const boost::json::value& value) = 0;
};

struct PolicyResult {
  std::vector<std::string> masked_paths;  // concrete paths that logs must mask
  std::vector<ValidationIssue> errors;    // {path, code} for each action that failed
  std::vector<ActionError> failures;      // the same failures, typed, in the same order
  std::size_t performed = 0;              // actions performed (drop included)
};

// Applies every rule in order to every value its path names. A failed action leaves that
// value as it was and is reported; the remaining actions of that value are skipped.
PolicyResult apply_policy(const FieldPolicy& policy, boost::json::value& message, FieldActions& actions);

}  // namespace paygate::protocol
