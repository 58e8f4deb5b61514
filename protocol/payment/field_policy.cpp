#include "protocol/payment/field_policy.h"

#include <array>

namespace paygate::protocol {
namespace {

constexpr std::array<std::pair<std::string_view, FieldAction>, 8> names{{
    {"tokenize", FieldAction::tokenize},
    {"issue_token", FieldAction::issue_token},
    {"detokenize", FieldAction::detokenize},
    {"encrypt_for_processor", FieldAction::encrypt_for_processor},
    {"decrypt_from_processor", FieldAction::decrypt_from_processor},
    {"encrypt", FieldAction::encrypt},
    {"drop", FieldAction::drop},
    {"mask_in_logs", FieldAction::mask_in_logs},
}};

}  // namespace

std::optional<FieldAction> parse_field_action(std::string_view name) {
  for (const auto& [text, action] : names) {
    if (text == name) return action;
  }
  return std::nullopt;
}

std::string_view to_string(FieldAction action) {
  for (const auto& [text, a] : names) {
    if (a == action) return text;
  }
  return "unknown";
}

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
          result.errors.push_back({where, outcome.error.empty() ? std::string(to_string(action)) + "_failed" : outcome.error});
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
