#include "fraud/signals.h"

namespace paygate::fraud {
namespace {

constexpr std::array<std::string_view, signal_count> names{
    "amount",
    "card_attempts_1m",
    "card_attempts_1h",
    "card_attempts_24h",
    "card_amount_1h",
    "card_amount_24h",
    "card_auth_failures_24h",
    "card_first_seen_at_merchant",
    "merchant_attempts_1m",
    "merchant_attempts_1h",
    "ip_attempts_1m",
    "ip_attempts_1h",
    "ip_distinct_cards_1h",
    "ip_decline_ratio_1h",
    "bin_attempts_1h",
    "amount_zscore",
    "billing_country_mismatch",
};
static_assert(static_cast<std::size_t>(Signal::billing_country_mismatch) + 1 == signal_count);

}  // namespace

std::string_view to_string(Signal signal) { return names[static_cast<std::size_t>(signal)]; }

std::optional<Signal> parse_signal(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Signal>(i);
  }
  return std::nullopt;
}

}  // namespace paygate::fraud
