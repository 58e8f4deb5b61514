// The signals fraud rules are written in: each a named number with a documented meaning
// (docs/fraud.md). Computed per request by the Screener from what the request says and
// what the state remembers; the current request is included in every count.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paygate::fraud {

enum class Signal {
  amount,                       // this request's amount, minor units
  card_attempts_1m,             // requests with this card (keyed fingerprint), last minute
  card_attempts_1h,
  card_attempts_24h,
  card_amount_1h,               // sum of this card's amounts, minor units, last hour
  card_amount_24h,
  card_auth_failures_24h,       // CVV or expiry failures the processor reported for this card
  card_first_seen_at_merchant,  // 1 when this merchant has not seen this card in 30 days
  merchant_attempts_1m,         // requests for this merchant
  merchant_attempts_1h,
  ip_attempts_1m,               // requests from this client IP
  ip_attempts_1h,
  ip_distinct_cards_1h,         // different cards from this client IP, last hour (card testing)
  ip_decline_ratio_1h,          // declines / answers for this client IP, last hour (0..1)
  bin_attempts_1h,              // requests with cards of this BIN (first 6 digits)
  amount_zscore,                // robust z-score of the amount against the merchant's recent amounts
  billing_country_mismatch,     // 1 when the billing country is not the BIN's issuing country
};
inline constexpr std::size_t signal_count = 17;

std::string_view to_string(Signal signal);
std::optional<Signal> parse_signal(std::string_view name);

using SignalValues = std::array<double, signal_count>;

}  // namespace paygate::fraud
