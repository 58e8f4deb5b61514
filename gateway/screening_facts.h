// What fraud screening reads from a JSON payment, and how a card becomes a screening key:
// shared by the payment pipeline and `fraud explain`, so that both see a payment alike.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

#include "crypto/fingerprint.h"

namespace paygate::gateway {

struct PaymentFacts {
  std::uint64_t amount = 0;     // amount.value, minor units (0 when absent)
  std::string billing_country;  // billing_address.country
  std::string pan;              // card.number when it is a card number (Luhn-valid, 12..19 digits); never kept
};
PaymentFacts payment_facts(const boost::json::object& message);

// The card as screening knows it: its keyed fingerprint (scoped to screening, not to a
// merchant: velocity per card spans merchants), hex; "" when it cannot be made.
std::string screening_card_key(const crypto::Fingerprinter& fingerprints, const std::string& pan);

}  // namespace paygate::gateway
