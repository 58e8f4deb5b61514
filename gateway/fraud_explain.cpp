#include "gateway/fraud_explain.h"

#include <boost/json.hpp>

#include <cmath>

#include "gateway/flow/json_message.h"
#include "gateway/flow/screening.h"
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
  // The payment as the flow's screening would see it, recording nothing.
  Screening screening(config.fraud, fingerprints, *profile, screener, request.merchant, request.client_ip, nullptr);
  const PaymentFacts facts = json_payment_facts(message->get_object());
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
  out.ok = true;
  out.json = boost::json::serialize(result) + "\n";
  return out;
}

}  // namespace paygate::gateway
