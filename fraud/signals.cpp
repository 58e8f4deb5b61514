#include "fraud/signals.h"

#include <vector>

namespace paygate::fraud {
namespace {

using F = Formula;
using K = KeyKind;
using C = Counter;

// The one list of signals (docs/fraud.md describes each).
constexpr std::array<SignalSpec, signal_count> table{{
    {Signal::amount, "amount", F::request_amount},
    {Signal::card_attempts_1m, "card_attempts_1m", F::count, K::card, C::attempts, one_minute},
    {Signal::card_attempts_1h, "card_attempts_1h", F::count, K::card, C::attempts, one_hour},
    {Signal::card_attempts_24h, "card_attempts_24h", F::count, K::card, C::attempts, one_day},
    {Signal::card_amount_1h, "card_amount_1h", F::count, K::card, C::amount, one_hour},
    {Signal::card_amount_24h, "card_amount_24h", F::count, K::card, C::amount, one_day},
    {Signal::card_auth_failures_24h, "card_auth_failures_24h", F::count, K::card, C::auth_failures, one_day},
    {Signal::card_first_seen_at_merchant, "card_first_seen_at_merchant", F::first_seen, K::card_at_merchant,
     C::seen, thirty_days},
    {Signal::merchant_attempts_1m, "merchant_attempts_1m", F::count, K::merchant, C::attempts, one_minute},
    {Signal::merchant_attempts_1h, "merchant_attempts_1h", F::count, K::merchant, C::attempts, one_hour},
    {Signal::ip_attempts_1m, "ip_attempts_1m", F::count, K::ip, C::attempts, one_minute},
    {Signal::ip_attempts_1h, "ip_attempts_1h", F::count, K::ip, C::attempts, one_hour},
    {Signal::ip_distinct_cards_1h, "ip_distinct_cards_1h", F::distinct_cards, K::ip},
    {Signal::ip_decline_ratio_1h, "ip_decline_ratio_1h", F::ratio, K::ip, C::declines, one_hour, C::answers},
    {Signal::bin_attempts_1h, "bin_attempts_1h", F::count, K::bin, C::attempts, one_hour},
    {Signal::amount_zscore, "amount_zscore", F::amount_zscore},
    {Signal::billing_country_mismatch, "billing_country_mismatch", F::country_mismatch},
}};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (static_cast<std::size_t>(table[i].signal) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "signal_table() must list every signal in enum order");
static_assert(static_cast<std::size_t>(Signal::billing_country_mismatch) + 1 == signal_count);

bool reads_windows(Formula f) { return f == F::count || f == F::first_seen || f == F::ratio; }

std::vector<TrackedWindow> derive_tracked() {
  std::vector<TrackedWindow> out;
  auto add = [&](K key, C counter, Window window) {
    for (const auto& t : out) {
      if (t.key == key && t.counter == counter && t.window == window) return;
    }
    out.push_back({key, counter, window});
  };
  for (const auto& s : table) {
    if (!reads_windows(s.formula)) continue;
    add(s.key, s.counter, s.window);
    if (s.formula == F::ratio) add(s.key, s.divisor, s.window);
  }
  return out;
}

const std::vector<TrackedWindow>& tracked() {
  static const std::vector<TrackedWindow> windows = derive_tracked();
  return windows;
}

}  // namespace

std::span<const SignalSpec> signal_table() { return table; }

std::span<const TrackedWindow> tracked_windows() { return tracked(); }

std::size_t tracked_window(KeyKind key, Counter counter, Window window) {
  const auto& all = tracked();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].key == key && all[i].counter == counter && all[i].window == window) return i;
  }
  return all.size();  // not tracked: never for a table entry
}

std::string_view to_string(Signal signal) { return table[static_cast<std::size_t>(signal)].name; }

std::optional<Signal> parse_signal(std::string_view name) {
  for (const auto& s : table) {
    if (s.name == name) return s.signal;
  }
  return std::nullopt;
}

std::string_view to_string(KeyKind kind) {
  switch (kind) {
    case K::card:
      return "c";
    case K::merchant:
      return "m";
    case K::ip:
      return "i";
    case K::bin:
      return "b";
    case K::card_at_merchant:
      return "cm";
  }
  return "?";
}

std::string_view to_string(Counter counter) {
  switch (counter) {
    case C::attempts:
      return "n";
    case C::amount:
      return "a";
    case C::seen:
      return "s";
    case C::answers:
      return "r";
    case C::declines:
      return "d";
    case C::auth_failures:
      return "f";
  }
  return "?";
}

}  // namespace paygate::fraud
