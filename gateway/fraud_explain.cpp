#include "gateway/fraud_explain.h"

#include <boost/json.hpp>

#include <cmath>
#include <fstream>

#include "audit/files.h"
#include "audit/record.h"
#include "card/detect.h"
#include "gateway/flow/json_message.h"
#include "gateway/flow/screening.h"
#include "protocol/payment/json_decode.h"
#include "tokens/token_service.h"

namespace paygate::gateway {
namespace {

ExplainResult refused(unsigned status, std::string error) {
  ExplainResult out;
  out.status = status;
  out.error = std::move(error);
  return out;
}

const config::Route* find_route(const config::Config& config, const std::string& name) {
  for (const auto& r : config.routes) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// The signals and decision for `facts` on `route`, peeked: nothing is recorded or evicted.
ExplainResult explain_facts(const config::Config& config, const crypto::Fingerprinter* fingerprints,
                            fraud::Screener& screener, const config::Route& route_ref, const std::string& merchant,
                            const std::string& client_ip, const PaymentFacts& facts) {
  const config::Route* route = &route_ref;
  const fraud::Profile* profile = route->fraud_profile.empty() ? nullptr : config.fraud.profile(route->fraud_profile);
  if (!profile) return refused(422, "route " + route->name + " has no fraud_profile");
  Screening screening(config.fraud, fingerprints, *profile, screener, merchant, client_ip, nullptr);
  if (!facts.pan.empty()) screening.note_card(facts.pan);
  screening.note_payment(facts.amount, facts.billing_country);
  const auto signals = screening.peek();
  const auto decision = fraud::evaluate(*profile, signals);
  boost::json::object result;
  result["route"] = route->name;
  result["card_seen"] = screening.card_seen();
  boost::json::object values;
  for (std::size_t i = 0; i < fraud::signal_count; ++i) {
    const double v = signals[i];
    const auto name = fraud::to_string(static_cast<fraud::Signal>(i));
    if (v == std::floor(v) && std::fabs(v) < 1e15) values[name] = static_cast<std::int64_t>(v);  // counts print as counts
    else values[name] = std::round(v * 1000) / 1000;
  }
  result["signals"] = std::move(values);
  result["decision"] = fraud_record(*profile, decision);
  ExplainResult out;
  out.json = boost::json::serialize(result) + "\n";
  return out;
}

std::string text_member(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The gateway's audit record of `request_id`, newest files first.
std::optional<boost::json::object> find_request_record(const std::filesystem::path& dir, const std::string& request_id) {
  const auto streams = audit::list_audit_files(dir);
  const auto gateway = streams.find(std::string(audit::gateway_stream));
  if (gateway == streams.end()) return std::nullopt;
  const std::string needle = "\"request_id\":" + boost::json::serialize(boost::json::value(request_id));
  for (auto file = gateway->second.rbegin(); file != gateway->second.rend(); ++file) {
    std::ifstream in(*file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(needle) == std::string::npos) continue;
      auto record = audit::parse_record(line);
      if (record && text_member(record->object, "request_id") == request_id) return std::move(record->object);
    }
  }
  return std::nullopt;
}

}  // namespace

ExplainResult explain_reference(const LiveExplainSources& sources, const std::string& body) {
  // The oracle this endpoint must never be: a body with a card number is refused before
  // anything else is looked at, and the answer says nothing about that number.
  if (!card::find_pans(body).empty())
    return refused(422, "explain takes a request_id or a token, never a card number");
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) return refused(422, "the body must be a JSON object");
  const auto& request = parsed.get_object();
  std::string route = text_member(request, "route");
  std::string merchant = text_member(request, "merchant");
  std::string client_ip = text_member(request, "client_ip");
  std::string token = text_member(request, "token");
  const std::string request_id = text_member(request, "request_id");
  PaymentFacts facts;
  if (const auto* amount = request.if_contains("amount"); amount && amount->is_object()) {
    if (const auto* v = amount->get_object().if_contains("value"); v && v->is_int64() && v->get_int64() >= 0)
      facts.amount = static_cast<std::uint64_t>(v->get_int64());
  }
  if (request_id.empty() == token.empty())
    return refused(422, "give exactly one of request_id (from the audit log) or token (with merchant)");
  if (!request_id.empty()) {
    if (!sources.audit_dir) return refused(422, "request_id needs the audit log (no audit section configured)");
    auto record = find_request_record(*sources.audit_dir, request_id);
    if (!record) return refused(404, "no audit record with that request_id");
    merchant = text_member(*record, "merchant");
    token = text_member(*record, "token");
    if (route.empty()) route = text_member(*record, "route");
    if (client_ip.empty()) client_ip = text_member(*record, "client_ip");
  } else if (merchant.empty()) {
    return refused(422, "a token needs the merchant it was issued to");
  }
  const config::Route* named = find_route(sources.config, route);
  if (!named) return refused(422, "no route named " + route);
  if (!token.empty()) {
    if (!sources.tokens || named->token_profile.empty())
      return refused(422, "route " + route + " has no token profile to read the token with");
    auto pan = sources.tokens->detokenize(merchant, named->token_profile, token);
    // Not found and not valid answer alike: the endpoint confirms no token's existence.
    if (!pan) return refused(404, "no card behind that token for that merchant");
    facts.pan = std::move(pan.value());
  }
  return explain_facts(sources.config, sources.fingerprints, sources.screener, *named, merchant, client_ip, facts);
}

ExplainResult explain_payment(const config::Config& config, const crypto::Fingerprinter* fingerprints,
                              fraud::Screener& fresh, const OfflineExplainRequest& request) {
  protocol::JsonLimits limits;
  auto decoded = protocol::decode_json(request.body, limits);
  auto* message = std::get_if<boost::json::value>(&decoded);
  if (!message || !message->is_object()) return refused(422, "the payment is not a JSON object");
  const config::Route* route = find_route(config, request.route);
  if (!route) return refused(422, "no route named " + request.route);
  return explain_facts(config, fingerprints, fresh, *route, request.merchant, request.client_ip,
                       json_payment_facts(message->get_object()));
}

}  // namespace paygate::gateway
