// Field policies: for each route, which fields get which actions, in order. This module
// parses them and applies them to a message; the actions themselves (tokens, JWE,
// envelopes) come from outside through FieldActions, so protocol/ stays free of crypto.
//
// Actions (DESIGN.md, "Field policy semantics"):
//   tokenize                value -> its token, in the message that continues
//   issue_token             the answer will carry the value's token; the value continues
//   detokenize              a token from the merchant continues as the PAN
//   encrypt_for_processor   value -> JWE for the processor's key
//   decrypt_from_processor  JWE from the processor -> value
//   encrypt                 value -> AEAD envelope under paygate's data key
//   drop                    the field is removed
//   mask_in_logs            logs show the field masked (no change to the message)
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/payment/field_path.h"
#include "protocol/payment/validation.h"

namespace paygate::protocol {

enum class FieldAction { tokenize, issue_token, detokenize, encrypt_for_processor, decrypt_from_processor, encrypt, drop, mask_in_logs };

std::optional<FieldAction> parse_field_action(std::string_view name);
std::string_view to_string(FieldAction action);

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
  // The new value, or an error code for the answer (e.g. "token_not_found"). Never puts
  // the value into the error.
  struct Outcome {
    std::optional<boost::json::value> value;
    std::string error;
  };
  // Not called for drop and mask_in_logs, which the policy engine does itself.
  virtual Outcome perform(FieldAction action, const std::string& path, const boost::json::value& value) = 0;
};

struct PolicyResult {
  std::vector<std::string> masked_paths;  // concrete paths that logs must mask
  std::vector<ValidationIssue> errors;    // {path, code} for each action that failed
  std::size_t performed = 0;              // actions performed (drop included)
};

// Applies every rule in order to every value its path names. A failed action leaves that
// value as it was and is reported; the remaining actions of that value are skipped.
PolicyResult apply_policy(const FieldPolicy& policy, boost::json::value& message, FieldActions& actions);

}  // namespace paygate::protocol
