#include "fraud/screener.h"

#include <algorithm>
#include <array>
#include <vector>

#include "fraud/memory_store.h"

namespace paygate::fraud {
namespace {

// The text of a request's key of `kind`; empty when the request has none (no card, no
// IP): its signals are then 0. `card_at_merchant` is the storage for that kind's text.
std::string_view key_text(KeyKind kind, const Observation& o, std::string& card_at_merchant) {
  switch (kind) {
    case KeyKind::card:
      return o.card_key;
    case KeyKind::merchant:
      return o.merchant;
    case KeyKind::ip:
      return o.client_ip;
    case KeyKind::bin:
      return o.bin;
    case KeyKind::card_at_merchant:
      if (o.card_key.empty()) return {};
      card_at_merchant = o.card_key + "|" + o.merchant;
      return card_at_merchant;
  }
  return {};
}

// What the screened request itself adds to a counter (feedback counters: nothing).
std::uint64_t own(Counter counter, const Observation& o) {
  switch (counter) {
    case Counter::attempts:
    case Counter::seen:
      return 1;
    case Counter::amount:
      return o.amount;
    default:
      return 0;
  }
}

// What a processor answer adds to a counter.
std::uint64_t fed_back(Counter counter, const Feedback& f) {
  switch (counter) {
    case Counter::answers:
      return 1;
    case Counter::declines:
      return f.declined ? 1 : 0;
    case Counter::auth_failures:
      return f.auth_failure ? 1 : 0;
    default:
      return 0;
  }
}

// Reads of every tracked window whose key the request has; `present[t]` says which.
struct Reads {
  std::vector<WindowRead> reads;
  std::vector<std::size_t> index;  // per tracked window: its position in reads, or npos
  std::string card_at_merchant;
};
constexpr std::size_t npos = static_cast<std::size_t>(-1);

}  // namespace

Screener::Screener(std::unique_ptr<WindowStore> store, bool fail_closed)
    : store_(std::move(store)), fail_closed_(fail_closed) {}

MemoryScreener::MemoryScreener(std::size_t max_keys)
    : Screener(std::make_unique<MemoryStore>(max_keys), false) {}

bool Screener::signals(const Observation& o, std::int64_t now, bool record, SignalValues& v) {
  v = {};
  const auto windows = tracked_windows();
  Reads r;
  r.index.assign(windows.size(), npos);
  r.reads.reserve(windows.size());
  for (std::size_t t = 0; t < windows.size(); ++t) {
    const std::string_view key = key_text(windows[t].key, o, r.card_at_merchant);
    if (key.empty()) continue;
    r.index[t] = r.reads.size();
    r.reads.push_back({t, key, record ? own(windows[t].counter, o) : 0});
  }
  std::vector<std::uint64_t> before(r.reads.size());
  const DistinctCards distinct{o.client_ip, o.card_key};
  DistinctResult cards;
  if (!store_->apply(r.reads, &distinct, record, now, before, cards)) return false;

  auto total_before = [&](KeyKind key, Counter counter, Window window) -> std::optional<std::uint64_t> {
    const std::size_t i = r.index[tracked_window(key, counter, window)];
    if (i == npos) return std::nullopt;
    return before[i];
  };
  for (const SignalSpec& s : signal_table()) {
    double value = 0;
    switch (s.formula) {
      case Formula::request_amount:
        value = static_cast<double>(o.amount);
        break;
      case Formula::count:
        if (auto b = total_before(s.key, s.counter, s.window))
          value = static_cast<double>(*b + own(s.counter, o));
        break;
      case Formula::first_seen:
        if (auto b = total_before(s.key, s.counter, s.window)) value = *b == 0 ? 1 : 0;
        break;
      case Formula::ratio: {
        const auto numerator = total_before(s.key, s.counter, s.window);
        const auto denominator = total_before(s.key, s.divisor, s.window);
        if (numerator && denominator && *denominator > 0) {
          value = static_cast<double>(*numerator) / static_cast<double>(*denominator);
        }
        break;
      }
      case Formula::distinct_cards:
        if (!o.client_ip.empty()) {
          const bool adds = !o.card_key.empty() && !cards.seen_before;
          value = static_cast<double>(
              std::min<std::uint64_t>(cards.before + (adds ? 1 : 0), distinct_remembered));
        }
        break;
      case Formula::amount_zscore:
        if (o.amount > 0) value = amounts_.zscore(o.merchant, o.amount, record);
        break;
      case Formula::country_mismatch:
        if (!o.billing_country.empty() && !o.issuing_country.empty())
          value = o.billing_country != o.issuing_country;
        break;
    }
    v[static_cast<std::size_t>(s.signal)] = value;
  }
  return true;
}

Decision Screener::screen(const Profile& profile, const Observation& observation, std::int64_t now) {
  SignalValues v;
  if (signals(observation, now, true, v)) return evaluate(profile, v);
  Decision d;
  d.signals = v;
  d.dry_run = profile.dry_run;
  d.state_unavailable = true;
  if (fail_closed_) {
    d.verdict = Outcome::block;
    d.reason = "fraud_state_unavailable";
  }
  d.outcome = profile.dry_run ? Outcome::allow : d.verdict;
  return d;
}

SignalValues Screener::peek(const Observation& observation, std::int64_t now) {
  SignalValues v;
  (void)signals(observation, now, false, v);  // unreachable state: zeros, counted by the store
  return v;
}

void Screener::feedback(const Observation& o, const Feedback& f, std::int64_t now) {
  const auto windows = tracked_windows();
  std::vector<WindowRead> reads;
  std::string card_at_merchant;
  for (std::size_t t = 0; t < windows.size(); ++t) {
    const std::uint64_t add = fed_back(windows[t].counter, f);
    if (add == 0) continue;
    const std::string_view key = key_text(windows[t].key, o, card_at_merchant);
    if (!key.empty()) reads.push_back({t, key, add});
  }
  if (reads.empty()) return;
  std::vector<std::uint64_t> ignored(reads.size());
  DistinctResult none;
  (void)store_->apply(reads, nullptr, true, now, ignored, none);  // a failure is counted by the store
}

}  // namespace paygate::fraud
