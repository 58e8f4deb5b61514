#include "gateway/fraud_explain.h"

#include <boost/json.hpp>

#include <cmath>

#include "gateway/screening_facts.h"
#include "gateway/fraud_stage.h"
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
  PaymentFacts facts = payment_facts(object);
  o.amount = facts.amount;
  o.billing_country = std::move(facts.billing_country);
  if (!facts.pan.empty() && fingerprints) {
    o.card_key = screening_card_key(*fingerprints, facts.pan);
    o.bin = facts.pan.substr(0, 6);
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
