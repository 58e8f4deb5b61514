#include "gateway/screening_facts.h"

#include "card/luhn.h"

namespace paygate::gateway {

PaymentFacts payment_facts(const boost::json::object& message) {
  PaymentFacts f;
  if (auto* amount = message.if_contains("amount"); amount && amount->is_object()) {
    if (auto* v = amount->get_object().if_contains("value"); v && v->is_int64() && v->get_int64() > 0) {
      f.amount = static_cast<std::uint64_t>(v->get_int64());
    }
  }
  if (auto* address = message.if_contains("billing_address"); address && address->is_object()) {
    if (auto* c = address->get_object().if_contains("country"); c && c->is_string()) f.billing_country = c->get_string();
  }
  if (auto* card = message.if_contains("card"); card && card->is_object()) {
    if (auto* n = card->get_object().if_contains("number"); n && n->is_string()) {
      const std::string number(n->get_string());
      if (number.size() >= 12 && number.size() <= 19 && card::luhn_valid(number)) f.pan = number;
    }
  }
  return f;
}

std::string screening_card_key(const crypto::Fingerprinter& fingerprints, const std::string& pan) {
  auto fp = fingerprints.fingerprint("paygate-fraud-screening", pan);
  return fp ? fp.value().hex() : std::string();
}

}  // namespace paygate::gateway
