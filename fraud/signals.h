// The signals fraud rules are written in, as one data table (docs/fraud.md): each signal
// is a named number with a formula over what the request says and what the state
// remembers — a count over a sliding window of a key (a card's keyed fingerprint, a
// merchant, a client IP, a BIN, a card at a merchant), a first-seen flag, a ratio, or a
// figure of the request itself. Both state backends (in process, Redis) iterate the
// table, so a new signal is one row here: nothing else names it. The current request is
// included in every count, whether it is recorded (screen) or only looked at (peek).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace paygate::fraud {

enum class Signal {
  amount,            // this request's amount, minor units
  card_attempts_1m,  // requests with this card (keyed fingerprint), last minute
  card_attempts_1h,
  card_attempts_24h,
  card_amount_1h,  // sum of this card's amounts, minor units, last hour
  card_amount_24h,
  card_auth_failures_24h,       // CVV or expiry failures the processor reported for this card
  card_first_seen_at_merchant,  // 1 when this merchant has not seen this card in 30 days
  merchant_attempts_1m,         // requests for this merchant
  merchant_attempts_1h,
  ip_attempts_1m,  // requests from this client IP
  ip_attempts_1h,
  ip_distinct_cards_1h,      // different cards from this client IP, last hour (card testing)
  ip_decline_ratio_1h,       // declines / answers for this client IP, last hour (0..1)
  bin_attempts_1h,           // requests with cards of this BIN (first 6 digits)
  amount_zscore,             // robust z-score of the amount against the merchant's recent amounts
  billing_country_mismatch,  // 1 when the billing country is not the BIN's issuing country
};
inline constexpr std::size_t signal_count = 17;

std::string_view to_string(Signal signal);
std::optional<Signal> parse_signal(std::string_view name);

using SignalValues = std::array<double, signal_count>;

// What the state is keyed by. Card keys are keyed fingerprints, never card numbers.
enum class KeyKind : std::uint8_t { card, merchant, ip, bin, card_at_merchant };
inline constexpr std::size_t key_kind_count = 5;

// What a window counts. The screened request adds to attempts (1), amount (its amount)
// and seen (1); the processor's answer adds to answers (1), declines (1 when declined)
// and auth_failures (1 when the processor reports a CVV or expiry failure).
enum class Counter : std::uint8_t { attempts, amount, seen, answers, declines, auth_failures };

// A sliding window: `buckets` buckets of `bucket_seconds` each (fraud/sliding_window.h).
struct Window {
  std::uint32_t bucket_seconds = 0;
  std::uint32_t buckets = 0;
  friend constexpr bool operator==(const Window&, const Window&) = default;
};
inline constexpr Window one_minute{10, 6};
inline constexpr Window one_hour{600, 6};
inline constexpr Window one_day{7200, 12};
inline constexpr Window thirty_days{3 * 86400, 10};
inline constexpr std::uint32_t max_buckets = 12;

enum class Formula {
  request_amount,    // the request's amount
  count,             // the window's total, this request included
  first_seen,        // 1 when the window held nothing before this request
  distinct_cards,    // different cards from the key in the last hour, this one included
  ratio,             // window total of `counter` / window total of `divisor` (0 when empty)
  amount_zscore,     // against the merchant's recent amounts (per instance)
  country_mismatch,  // billing country vs the BIN's issuing country (when both are known)
};

struct SignalSpec {
  Signal signal;
  std::string_view name;
  Formula formula;
  KeyKind key = KeyKind::card;          // count, first_seen, distinct_cards, ratio
  Counter counter = Counter::attempts;  // count, first_seen, ratio (numerator)
  Window window{};                      // count, first_seen, ratio
  Counter divisor = Counter::attempts;  // ratio
};

// Every signal, in enum order.
std::span<const SignalSpec> signal_table();

// A (key kind, counter, window) that some signal reads: what the state keeps per key.
// Derived from the table, without duplicates, in a fixed order; both backends use the
// index into this list to name a window.
struct TrackedWindow {
  KeyKind key;
  Counter counter;
  Window window;
};
std::span<const TrackedWindow> tracked_windows();

// The index in tracked_windows() of (key, counter, window); every table entry has one.
std::size_t tracked_window(KeyKind key, Counter counter, Window window);

// Short stable names, for state keys (Redis) and docs.
std::string_view to_string(KeyKind kind);
std::string_view to_string(Counter counter);

}  // namespace paygate::fraud
