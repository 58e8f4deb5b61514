#include "gateway/iso/iso_policy.h"

#include <boost/json/value.hpp>

#include "card/detect.h"
#include "protocol/iso8583/track2.h"

namespace paygate::gateway {
namespace {

using protocol::FieldAction;

// One action on one card number; the new value or an error code.
std::optional<std::string> act(FieldAction action, int field, const std::string& value, protocol::FieldActions& actions,
                               std::string& error) {
  auto outcome = actions.perform(action, "DE" + std::to_string(field), boost::json::value(value));
  if (!outcome.value || !outcome.value->is_string()) {
    error = std::string(protocol::to_string(outcome.error));
    return std::nullopt;
  }
  return std::string(outcome.value->get_string());
}

}  // namespace

std::vector<IsoPolicyError> apply_iso_policy(const std::vector<config::IsoFieldRule>& rules,
                                             protocol::iso8583::Message& message, protocol::FieldActions& actions) {
  std::vector<IsoPolicyError> errors;
  for (const auto& rule : rules) {
    for (FieldAction action : rule.actions) {
      if (!message.has(rule.field)) break;
      if (action == FieldAction::drop) {
        message.fields.erase(rule.field);
        break;
      }
      if (action == FieldAction::mask_in_logs) continue;  // the printer masks card fields always
      const std::string value(message.fields.get(rule.field));
      std::string error;
      if (rule.field == 35) {
        auto track = protocol::iso8583::split_track2(value);
        if (!track) {
          errors.push_back({rule.field, "malformed_track2"});
          break;
        }
        auto pan = act(action, rule.field, track->pan, actions, error);
        if (!pan) {
          errors.push_back({rule.field, error});
          break;
        }
        track->pan = std::move(*pan);
        message.fields.set(rule.field, protocol::iso8583::join_track2(*track));
        continue;
      }
      auto replaced = act(action, rule.field, value, actions, error);
      if (!replaced) {
        errors.push_back({rule.field, error});
        break;
      }
      message.fields.set(rule.field, *replaced);
    }
  }
  return errors;
}

std::vector<int> strip_card_numbers(protocol::iso8583::Message& message) {
  std::vector<int> removed;
  for (int field : {2, 35, 45}) {
    if (message.has(field) && !card::find_pans(message.fields.get(field)).empty()) {
      message.fields.erase(field);
      removed.push_back(field);
    }
  }
  return removed;
}

}  // namespace paygate::gateway
