#include "gateway/flow/iso_message.h"

#include <boost/json/value.hpp>

#include <algorithm>

#include "card/luhn.h"
#include "gateway/flow/field_actions.h"
#include "gateway/snapshot.h"
#include "protocol/iso8583/codec.h"
#include "protocol/iso8583/track2.h"

namespace paygate::gateway {
namespace {

namespace iso = protocol::iso8583;
using protocol::ActionError;
using protocol::FieldAction;

std::string field_name(int field) { return "DE" + std::to_string(field); }

// One action on one card number; the new value, or the error.
std::optional<std::string> act(FieldAction action, int field, const std::string& value,
                               protocol::FieldActions& actions, ActionError& error) {
  auto outcome = actions.perform(action, field_name(field), boost::json::value(value));
  if (!outcome.value || !outcome.value->is_string()) {
    error = outcome.value ? ActionError::expected_string : outcome.error;
    return std::nullopt;
  }
  return std::string(outcome.value->get_string());
}

// Whether a rule of `rules` (on a field `present_in` holds, when given) has an action
// `counts` accepts.
bool has_action(const std::vector<config::IsoFieldRule>& rules, const iso::Message* present_in,
                const std::function<bool(FieldAction)>& counts) {
  return std::any_of(rules.begin(), rules.end(), [&](const config::IsoFieldRule& rule) {
    if (present_in && !present_in->has(rule.field)) return false;
    return std::any_of(rule.actions.begin(), rule.actions.end(), counts);
  });
}

}  // namespace

PolicyOutcome apply_iso_policy(const std::vector<config::IsoFieldRule>& rules, iso::Message& message,
                               protocol::FieldActions& actions) {
  PolicyOutcome out;
  auto fail = [&](int field, ActionError error) {
    out.issues.push_back({field_name(field), std::string(protocol::to_string(error))});
    out.failures.push_back(error);
  };
  for (const auto& rule : rules) {
    for (FieldAction action : rule.actions) {
      if (!message.has(rule.field)) break;
      if (action == FieldAction::drop) {
        message.fields.erase(rule.field);
        break;
      }
      if (action == FieldAction::mask_in_logs) continue;  // the printer masks card fields always
      const std::string value(message.fields.get(rule.field));
      ActionError error = ActionError::internal;
      if (rule.field == 35) {
        auto track = iso::split_track2(value);
        if (!track) {
          fail(rule.field, ActionError::malformed_track2);
          break;
        }
        auto pan = act(action, rule.field, track->pan, actions, error);
        if (!pan) {
          fail(rule.field, error);
          break;
        }
        track->pan = std::move(*pan);
        message.fields.set(rule.field, iso::join_track2(*track));
        continue;
      }
      auto replaced = act(action, rule.field, value, actions, error);
      if (!replaced) {
        fail(rule.field, error);
        break;
      }
      message.fields.set(rule.field, *replaced);
    }
  }
  return out;
}

const config::Route* IsoMessage::route(const Snapshot& snapshot, RouteMiss& miss) {
  const std::string_view processing_code = request_.fields.get(3);
  for (const auto& route : snapshot.config->routes) {
    if (!route.is_iso8583() || route.match.mti != request_.mti) continue;
    if (!route.match.processing_code.empty() &&
        processing_code.substr(0, route.match.processing_code.size()) != route.match.processing_code) {
      continue;
    }
    return &route;
  }
  miss = RouteMiss::path;
  return nullptr;
}

bool IsoMessage::decode(const config::Route&, std::vector<protocol::ValidationIssue>& issues) {
  for (int field : iso::missing_required(*spec_, request_)) issues.push_back({field_name(field), "required"});
  return issues.empty();
}

PaymentFacts IsoMessage::facts() const {
  PaymentFacts f;
  for (char c : request_.fields.get(4)) {
    if (c < '0' || c > '9') return PaymentFacts{};
    f.amount = f.amount * 10 + static_cast<std::uint64_t>(c - '0');
  }
  const std::string_view currency = request_.fields.get(49);
  if (currency.size() == 3 && std::all_of(currency.begin(), currency.end(), [](char c) { return c >= '0' && c <= '9'; }))
    f.currency = std::string(currency);
  const std::string pan(request_.fields.get(2));
  if (pan.size() >= 12 && pan.size() <= 19 && card::luhn_valid(pan)) f.pan = pan;
  return f;
}

bool IsoMessage::request_needs_services(const config::Route& route) const {
  return has_action(route.iso_request_policy, nullptr, [](FieldAction a) { return !protocol::spec(a).local; });
}

PolicyOutcome IsoMessage::apply_request_policy(const config::Route& route, RequestActions& actions) {
  return apply_iso_policy(route.iso_request_policy, outgoing_, actions);
}

namespace {

// DE 41/42 are fixed-length, space-padded: compare without the padding.
std::string_view unpadded(std::string_view value) {
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

bool listed(const std::vector<std::string>& ids, std::string_view value) {
  return std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return unpadded(id) == unpadded(value); });
}

}  // namespace

// A merchant's ISO 8583 messages must name one of its card acceptor ids (DE 42) and, when
// it lists terminals, one of them (DE 41): another merchant's ids are refused, never sent.
bool IsoMessage::bound_to(const config::Merchant& merchant) const {
  if (!merchant.card_acceptor_ids.empty() &&
      (!request_.has(42) || !listed(merchant.card_acceptor_ids, request_.fields.get(42))))
    return false;
  if (!merchant.terminal_ids.empty() && (!request_.has(41) || !listed(merchant.terminal_ids, request_.fields.get(41))))
    return false;
  return true;
}

UpstreamRequest IsoMessage::take_upstream_request(const config::Route&, const ProcessorContext&,
                                                  std::string_view, std::string_view) {
  return UpstreamRequest{std::move(outgoing_)};
}

// ISO 8583 has its own repeat MTIs (0101, 0201...): paygate never sends a message twice.
bool IsoMessage::may_resend(const config::Route&) const { return false; }

bool IsoMessage::read_answer(UpstreamAnswer answer, AnswerFacts& facts) {
  auto* message = std::get_if<iso::Message>(&answer.message);
  if (!message) return false;
  answer_ = std::move(*message);
  facts.response_code = std::string(answer_.fields.get(39));
  facts.approved = facts.response_code == "00";
  return true;
}

bool IsoMessage::answer_needs(const config::Route& route, const std::function<bool(FieldAction)>& counts) {
  return has_action(route.iso_response_policy, &answer_, counts);
}

PolicyOutcome IsoMessage::apply_response_policy(const config::Route& route, RequestActions& actions) {
  return apply_iso_policy(route.iso_response_policy, answer_, actions);
}

// The fields that carry card numbers: DE 2 (PAN), 34 (extended PAN), 35 and 36 (tracks 2
// and 3), 45 (track 1). Other fields hold digit runs of their own (references, dates,
// amounts) that are not card numbers and must not make an answer look like one.
void IsoMessage::answer_text(const std::function<void(std::string_view, std::string_view)>& each) const {
  for (int field : {2, 34, 35, 36, 45}) {
    if (answer_.has(field)) each(field_name(field), answer_.fields.get(field));
  }
}

}  // namespace paygate::gateway
