#include "gateway/flow/json_message.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>

#include "card/luhn.h"
#include "gateway/flow/field_actions.h"
#include "gateway/snapshot.h"
#include "protocol/http/media_type.h"
#include "protocol/payment/json_decode.h"
#include "protocol/payment/validation.h"

namespace paygate::gateway {
namespace {

// "$.card.number" -> {"card"}: the members leading to a field's parent object; nullopt
// for paths through arrays (their tokens are reported in the audit record only).
std::optional<std::vector<std::string>> parent_members(const std::string& path) {
  if (path.size() < 2 || path.substr(0, 2) != "$." || path.find('[') != std::string::npos)
    return std::nullopt;
  std::vector<std::string> members;
  std::size_t start = 2;
  for (std::size_t dot = path.find('.', start); dot != std::string::npos; dot = path.find('.', start)) {
    members.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  return members;
}

bool has_action(const protocol::FieldRule& rule, const std::function<bool(protocol::FieldAction)>& counts) {
  return std::any_of(rule.actions.begin(), rule.actions.end(), counts);
}

bool needs_services(const protocol::FieldRule& rule) {
  return has_action(rule, [](protocol::FieldAction a) { return !protocol::spec(a).local; });
}

PolicyOutcome outcome_of(protocol::PolicyResult&& result) {
  return PolicyOutcome{std::move(result.errors), std::move(result.failures)};
}

}  // namespace

PaymentFacts json_payment_facts(const boost::json::object& message) {
  PaymentFacts f;
  if (auto* ref = message.if_contains("merchant_reference"); ref && ref->is_string()) f.merchant_reference = ref->get_string();
  if (auto* amount = message.if_contains("amount"); amount && amount->is_object()) {
    if (auto* v = amount->get_object().if_contains("value"); v && v->is_int64() && v->get_int64() > 0) {
      f.amount = static_cast<std::uint64_t>(v->get_int64());
    }
    if (auto* c = amount->get_object().if_contains("currency"); c && c->is_string() && c->get_string().size() == 3 &&
        std::all_of(c->get_string().begin(), c->get_string().end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
      f.currency = c->get_string();
    }
  }
  if (auto* address = message.if_contains("billing_address"); address && address->is_object()) {
    if (auto* c = address->get_object().if_contains("country"); c && c->is_string())
      f.billing_country = c->get_string();
  }
  if (auto* card = message.if_contains("card"); card && card->is_object()) {
    if (auto* n = card->get_object().if_contains("number"); n && n->is_string()) {
      const std::string number(n->get_string());
      if (number.size() >= 12 && number.size() <= 19 && card::luhn_valid(number)) f.pan = number;
    }
  }
  return f;
}

bool JsonMessage::passes_through(const config::Route& route) {
  return !route.message && route.request_policy.empty() && route.response_policy.empty();
}

const config::Route* JsonMessage::route(const Snapshot& snapshot, RouteMiss& miss) {
  const std::string_view target(request_.target);
  const RouteMatchResult match = snapshot.router.find(request_.method, target.substr(0, target.find('?')));
  if (!match.route) {
    miss = match.path_known ? RouteMiss::method : RouteMiss::path;
    allowed_methods_ = match.allowed_methods;
    return nullptr;
  }
  return match.route;
}

bool JsonMessage::decode(const config::Route& route, std::vector<protocol::ValidationIssue>& issues) {
  pass_through_ = passes_through(route);
  if (pass_through_) {
    outgoing_body_ = std::move(request_.body);  // nothing reads the merchant's bytes again
    return true;
  }
  protocol::JsonLimits limits;
  limits.max_bytes = max_body_;
  auto decoded = protocol::decode_json(request_.body, limits, boost::json::storage_ptr(&arena_));
  if (auto* problem = std::get_if<protocol::JsonProblem>(&decoded)) {
    issues.push_back({problem->path, problem->code});
    return false;
  }
  request_tree_.emplace(std::move(std::get<boost::json::value>(decoded)));  // keeps its arena storage
  if (route.message) {
    const auto today =
        std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
    protocol::ValidationPolicy policy;
    policy.max_amount_major = route.max_amount;
    policy.allow_unknown_fields = route.pass_unknown_fields;
    policy.current_year = static_cast<int>(today.year());
    policy.current_month = static_cast<int>(static_cast<unsigned>(today.month()));
    issues = protocol::validate_message(*route.message, *request_tree_, policy);
    // The header's key breaks the same rule as the body's would; both given, they agree.
    const std::string_view header_key = request_.idempotency_key;
    if (!header_key.empty()) {
      if (auto problem = protocol::idempotency_key_problem(header_key))
        issues.push_back({std::string(protocol::header_issue_prefix) + "Idempotency-Key", std::string(*problem)});
    }
    std::string_view body_key;
    if (const auto* k = request_tree_->is_object() ? request_tree_->get_object().if_contains("idempotency_key") : nullptr;
        k && k->is_string())
      body_key = std::string_view(k->get_string().data(), k->get_string().size());
    if (!header_key.empty() && !body_key.empty() && body_key != header_key)
      issues.push_back({"$.idempotency_key", "idempotency_key_mismatch"});
    if (!issues.empty()) return false;
    idempotency_key_ = header_key.empty() ? body_key : header_key;
  }
  return true;
}

void JsonMessage::restart() {
  if (pass_through_) request_.body = std::move(outgoing_body_);
  pass_through_ = false;
  idempotency_key_ = {};
  request_tree_.reset();  // its nodes stay in the arena until the message goes
  outgoing_body_.clear();
}

std::string_view JsonMessage::follow_up_transaction(const config::Route& route) const {
  using protocol::MessageKind;
  if (!route.message || !request_tree_ || !request_tree_->is_object()) return {};
  if (*route.message != MessageKind::capture && *route.message != MessageKind::refund &&
      *route.message != MessageKind::cancel)
    return {};
  const auto* id = request_tree_->get_object().if_contains("processor_transaction_id");
  return id && id->is_string() ? std::string_view(id->get_string().data(), id->get_string().size()) : std::string_view();
}

PaymentFacts JsonMessage::facts() const {
  if (!request_tree_ || !request_tree_->is_object()) return {};
  return json_payment_facts(request_tree_->get_object());
}

bool JsonMessage::request_needs_services(const config::Route& route) const {
  return std::any_of(route.request_policy.begin(), route.request_policy.end(), needs_services);
}

PolicyOutcome JsonMessage::apply_request_policy(const config::Route& route, RequestActions& actions) {
  if (pass_through_ || !request_tree_) return {};
  auto result = protocol::apply_policy(route.request_policy, *request_tree_, actions);
  if (!result.failures.empty()) return outcome_of(std::move(result));
  outgoing_body_ = boost::json::serialize(*request_tree_);
  return {};
}

// An HTTPS merchant is bound by its credentials alone; the processor learns who it is
// from the route's merchant_header.
bool JsonMessage::bound_to(const config::Merchant&) const { return true; }

Outcome JsonMessage::negotiate(const config::Route& route) const {
  if (passes_through(route)) return Outcome::answered;
  if (!request_.body.empty() && !protocol::http::is_json_content_type(request_.content_type))
    return Outcome::unsupported_media_type;
  if (!protocol::http::accepts_json(request_.accept)) return Outcome::not_acceptable;
  return Outcome::answered;
}

UpstreamRequest JsonMessage::take_upstream_request(const config::Route& route, const ProcessorContext& processor,
                                                   std::string_view request_id, std::string_view merchant) {
  HttpRequestOut out;
  out.headers.reserve(6);
  out.method = request_.method;
  out.target = processor.config->base_path + route.upstream_path;
  if (auto q = request_.target.find('?'); q != std::string::npos) out.target += request_.target.substr(q);
  // A passed-through body keeps its content type; what paygate rewrote is JSON. Nothing
  // else the merchant sent (cookies, authorization, unknown headers) goes on.
  if (!pass_through_) {
    out.headers.emplace_back("Content-Type", "application/json");
    out.headers.emplace_back("Accept", "application/json");
  } else {
    if (!request_.content_type.empty()) out.headers.emplace_back("Content-Type", request_.content_type);
    if (!request_.accept.empty()) out.headers.emplace_back("Accept", request_.accept);
  }
  if (!request_.idempotency_key.empty())
    out.headers.emplace_back("Idempotency-Key", request_.idempotency_key);
  out.headers.emplace_back("X-Request-Id", std::string(request_id));
  if (!request_.traceparent.empty()) out.headers.emplace_back("traceparent", request_.traceparent);
  if (!request_.tracestate.empty()) out.headers.emplace_back("tracestate", request_.tracestate);
  if (!route.merchant_header.empty()) out.headers.emplace_back(route.merchant_header, std::string(merchant));
  out.body = std::move(outgoing_body_);
  return UpstreamRequest{std::move(out)};
}

bool JsonMessage::may_resend(const config::Route& route) const {
  return route.idempotent && !request_.idempotency_key.empty();
}

bool JsonMessage::read_answer(UpstreamAnswer answer, AnswerFacts& facts) {
  auto* in = std::get_if<HttpAnswerIn>(&answer.message);
  if (!in) return false;
  answer_status_ = in->status;
  if (pass_through_) {
    answer_content_type_ = std::move(in->content_type);
    answer_body_ = std::move(in->body);
    return true;
  }
  protocol::JsonLimits limits;
  limits.max_bytes = in->body.size();  // the pool bounded it by the processor's max_response
  auto decoded = protocol::decode_json(in->body, limits, boost::json::storage_ptr(&arena_));
  if (!std::holds_alternative<boost::json::value>(decoded) ||
      !std::get<boost::json::value>(decoded).is_object()) {
    return false;
  }
  answer_tree_.emplace(std::move(std::get<boost::json::value>(decoded)));
  answer_content_type_ = "application/json";
  const auto& message = answer_tree_->get_object();
  if (auto* s = message.if_contains("status"); s && s->is_string())
    facts.approved = s->get_string() == "approved";
  if (auto* c = message.if_contains("response_code"); c && c->is_string())
    facts.response_code = c->get_string();
  if (auto* t = message.if_contains("processor_transaction_id"); t && t->is_string())
    facts.transaction_id = t->get_string();
  return true;
}

bool JsonMessage::answer_needs(const config::Route& route, const std::function<bool(protocol::FieldAction)>& counts) {
  if (pass_through_ || !answer_tree_) return false;
  for (const auto& rule : route.response_policy) {
    if (!has_action(rule, counts)) continue;
    const auto present =
        protocol::apply(rule.path, *answer_tree_,
                        [](boost::json::value&, const std::string&) { return protocol::Visit::keep; });
    if (present > 0) return true;
  }
  return false;
}

PolicyOutcome JsonMessage::apply_response_policy(const config::Route& route, RequestActions& actions) {
  if (pass_through_ || !answer_tree_) return {};
  auto& message = *answer_tree_;
  auto result = protocol::apply_policy(route.response_policy, message, actions);
  if (!result.failures.empty()) return outcome_of(std::move(result));
  // issue_token: the token goes beside the field it stands for ("$.card.number" ->
  // "$.card.token"), in objects that the answer has or gets.
  for (const auto& issued : actions.issued()) {
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
  answer_body_ = boost::json::serialize(message);
  return {};
}

void JsonMessage::answer_text(const std::function<void(std::string_view, std::string_view)>& each) const {
  each("$", answer_body_);
}

}  // namespace paygate::gateway
