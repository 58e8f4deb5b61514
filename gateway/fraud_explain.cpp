#include "gateway/fraud_explain.h"

#include <boost/json.hpp>

#include <cmath>

#include "crypto/tokens/luhn.h"
#include "gateway/worker.h"
#include "protocol/payment/json_decode.h"

namespace paygate::gateway {

ExplainResult explain(const config::Config& config, const crypto::Fingerprinter* fingerprints,
                      fraud::Screener& screener, const ExplainRequest& request) {
  ExplainResult out;
  const config::Route* route = nullptr;
  for (const auto& r : config.routes) {
    if (r.name == request.route) route = &r;
  }
  if (!route) {
    out.error = "no route named " + request.route;
    return out;
  }
  const fraud::Profile* profile = route->fraud_profile.empty() ? nullptr : config.fraud.profile(route->fraud_profile);
  if (!profile) {
    out.error = "route " + route->name + " has no fraud_profile";
    return out;
  }
  protocol::JsonLimits limits;
  auto decoded = protocol::decode_json(request.body, limits);
  auto* message = std::get_if<boost::json::value>(&decoded);
  if (!message || !message->is_object()) {
    out.error = "the payment is not a JSON object";
    return out;
  }
  const auto& object = message->get_object();
  fraud::Observation o;
  o.merchant = request.merchant;
  o.client_ip = request.client_ip;
  if (auto* amount = object.if_contains("amount"); amount && amount->is_object()) {
    if (auto* v = amount->get_object().if_contains("value"); v && v->is_int64() && v->get_int64() > 0) {
      o.amount = static_cast<std::uint64_t>(v->get_int64());
    }
  }
  if (auto* address = object.if_contains("billing_address"); address && address->is_object()) {
    if (auto* c = address->get_object().if_contains("country"); c && c->is_string()) o.billing_country = c->get_string();
  }
  if (auto* card = object.if_contains("card"); card && card->is_object()) {
    if (auto* n = card->get_object().if_contains("number"); n && n->is_string()) {
      const std::string number(n->get_string());
      if (number.size() >= 12 && number.size() <= 19 && crypto::luhn_valid(number) && fingerprints) {
        if (auto fp = fingerprints->fingerprint("paygate-fraud-screening", number)) o.card_key = fp.value().hex();
        o.bin = number.substr(0, 6);
      }
    }
  }
  if (auto it = config.fraud.issuing_countries.find(o.bin); !o.bin.empty() && it != config.fraud.issuing_countries.end()) {
    o.issuing_country = it->second;
  }
  const auto signals = screener.peek(o, fraud_now());
  const auto decision = fraud::evaluate(*profile, signals);
  boost::json::object result;
  result["route"] = route->name;
  result["card_seen"] = !o.card_key.empty();
  boost::json::object values;
  for (std::size_t i = 0; i < fraud::signal_count; ++i) {
    const double v = signals[i];
    const auto name = fraud::to_string(static_cast<fraud::Signal>(i));
    if (v == std::floor(v) && std::fabs(v) < 1e15) values[name] = static_cast<std::int64_t>(v);  // counts print as counts
    else values[name] = std::round(v * 1000) / 1000;
  }
  result["signals"] = std::move(values);
  result["decision"] = fraud_record(*profile, decision);
  out.ok = true;
  out.json = boost::json::serialize(result) + "\n";
  return out;
}

}  // namespace paygate::gateway
