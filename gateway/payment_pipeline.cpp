#include "gateway/payment_pipeline.h"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "card/detect.h"
#include "gateway/screening_facts.h"
#include "protocol/payment/json_decode.h"

namespace paygate::gateway {
namespace {

bool unavailable(const std::vector<protocol::ValidationIssue>& errors) {
  for (const auto& e : errors) {
    if (e.code == "vault_unavailable" || e.code == "tokenization_unavailable") return true;
  }
  return false;
}

// "$.card.number" -> {"card"}: the members leading to a field's parent object; nullopt
// for paths through arrays (their tokens are reported in the audit record only).
std::optional<std::vector<std::string>> parent_members(const std::string& path) {
  if (path.size() < 2 || path.substr(0, 2) != "$." || path.find('[') != std::string::npos) return std::nullopt;
  std::vector<std::string> members;
  std::size_t start = 2;
  for (std::size_t dot = path.find('.', start); dot != std::string::npos; dot = path.find('.', start)) {
    members.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  return members;
}

}  // namespace

// What screening reads from a validated message: amount, billing country, and a card
// number the policies might not touch (its fingerprint is taken; the PAN is not kept).
void PaymentPipeline::screening_facts(const boost::json::object& message, PipelineRequest& out) {
  PaymentFacts facts = payment_facts(message);
  out.amount = facts.amount;
  out.billing_country = std::move(facts.billing_country);
  if (!facts.pan.empty()) actions_.note_card(facts.pan);
}

PipelineRequest PaymentPipeline::request(const std::string& body, int year, int month) {
  PipelineRequest out;
  protocol::JsonLimits limits;
  limits.max_bytes = max_body_;
  auto decoded = protocol::decode_json(body, limits, boost::json::storage_ptr(&arena_));
  if (auto* problem = std::get_if<protocol::JsonProblem>(&decoded)) {
    out.refusal_status = 400;
    out.issues.push_back({problem->path, problem->code});
    return out;
  }
  auto& message = std::get<boost::json::value>(decoded);
  if (route_.message) {
    protocol::ValidationPolicy policy;
    policy.max_amount_major = route_.max_amount;
    policy.allow_unknown_fields = route_.pass_unknown_fields;
    policy.current_year = year;
    policy.current_month = month;
    out.issues = protocol::validate_message(*route_.message, message, policy);
    if (!out.issues.empty()) {
      out.refusal_status = 400;
      return out;
    }
  }
  if (!route_.fraud_profile.empty() && message.is_object()) screening_facts(message.get_object(), out);
  auto result = protocol::apply_policy(route_.request_policy, message, actions_);
  if (!result.errors.empty()) {
    out.refusal_status = unavailable(result.errors) ? 503 : 400;
    out.issues = std::move(result.errors);
    return out;
  }
  out.body = boost::json::serialize(message);
  return out;
}

bool PaymentPipeline::read_answer(const std::string& body, PipelineAnswer& out) {
  protocol::JsonLimits limits;
  limits.max_bytes = max_response_;
  auto decoded = protocol::decode_json(body, limits, boost::json::storage_ptr(&arena_));
  if (!std::holds_alternative<boost::json::value>(decoded) || !std::get<boost::json::value>(decoded).is_object()) {
    out.processor_garbage = true;
    return false;
  }
  answer_.emplace(std::move(std::get<boost::json::value>(decoded)));  // keeps its arena storage
  const auto& message = answer_->get_object();
  if (auto* s = message.if_contains("status"); s && s->is_string()) out.processor_status = s->get_string();
  if (auto* c = message.if_contains("response_code"); c && c->is_string()) out.processor_code = c->get_string();
  return true;
}

bool PaymentPipeline::answer_needs_services() {
  using protocol::FieldAction;
  for (const auto& rule : route_.response_policy) {
    const bool local_only = std::all_of(rule.actions.begin(), rule.actions.end(), [](FieldAction a) {
      return a == FieldAction::drop || a == FieldAction::mask_in_logs;
    });
    if (local_only) continue;
    const auto present = protocol::apply(rule.path, *answer_, [](boost::json::value&, const std::string&) {
      return protocol::Visit::keep;
    });
    if (present > 0) return true;
  }
  return false;
}

void PaymentPipeline::finish_answer(PipelineAnswer& out) {
  auto& message = *answer_;
  auto result = protocol::apply_policy(route_.response_policy, message, actions_);
  if (!result.errors.empty()) {
    out.refusal_status = unavailable(result.errors) ? 503 : 502;
    out.issues = std::move(result.errors);
    return;
  }
  // issue_token: the token goes beside the field it stands for ("$.card.number" ->
  // "$.card.token"), in objects that the answer has or gets.
  for (const auto& issued : actions_.issued()) {
    auto members = parent_members(issued.path);
    if (!members) continue;
    boost::json::object* at = &message.get_object();
    for (const auto& m : *members) {
      auto& next = (*at)[m];
      if (!next.is_object()) next = boost::json::object();
      at = &next.get_object();
    }
    (*at)["token"] = issued.token;
  }
  out.body = boost::json::serialize(message);
  // The last line of defence: a card number the route's policies did not cover (a
  // processor echoing it somewhere unexpected) never reaches the merchant.
  if (!card::find_pans(out.body).empty()) {
    out.body.clear();
    out.refusal_status = 502;
    out.issues.push_back({"$", "card_number_in_answer"});
  }
}

}  // namespace paygate::gateway
