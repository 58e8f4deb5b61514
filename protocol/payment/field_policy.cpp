#include "protocol/payment/field_policy.h"

namespace paygate::protocol {

PolicyResult apply_policy(const FieldPolicy& policy, boost::json::value& message, FieldActions& actions) {
  PolicyResult result;
  for (const FieldRule& rule : policy) {
    apply(rule.path, message, [&](boost::json::value& value, const std::string& where) {
      for (FieldAction action : rule.actions) {
        if (action == FieldAction::mask_in_logs) {
          result.masked_paths.push_back(where);
          continue;
        }
        if (action == FieldAction::drop) {
          ++result.performed;
          return Visit::remove;
        }
        FieldActions::Outcome outcome = actions.perform(action, where, value);
        if (!outcome.value) {
          result.errors.push_back({where, std::string(to_string(outcome.error))});
          result.failures.push_back(outcome.error);
          break;
        }
        value = std::move(*outcome.value);
        ++result.performed;
      }
      return Visit::keep;
    });
  }
  return result;
}

}  // namespace paygate::protocol
