#include "fraud/screener.h"

#include <algorithm>

namespace paygate::fraud {

MemoryScreener::MemoryScreener(std::size_t max_keys) : state_(max_keys) {}

Decision MemoryScreener::screen(const Profile& profile, const Observation& observation, std::int64_t now) {
  return evaluate(profile, signals(observation, now, true));
}

SignalValues MemoryScreener::peek(const Observation& observation, std::int64_t now) {
  return signals(observation, now, false);
}

SignalValues MemoryScreener::signals(const Observation& o, std::int64_t now, bool record) {
  SignalValues v{};
  auto set = [&](Signal s, double value) { v[static_cast<std::size_t>(s)] = value; };
  // Recording adds this request to the state; peeking leaves the state alone and adds it
  // to the totals only, so both report the signals as this request would see them.
  const std::uint64_t add = record ? 1 : 0;
  const std::uint64_t amount = record ? o.amount : 0;
  const double one = record ? 0 : 1;
  const double own_amount = record ? 0 : static_cast<double>(o.amount);
  set(Signal::amount, static_cast<double>(o.amount));

  const std::uint64_t card = o.card_key.empty() ? 0 : make_key(KeyKind::card, o.card_key);
  if (card != 0) {
    state_.with(card, [&](Entry& e, bool) {
      e.attempts_1m.add(now, bucket_1m, add);
      e.attempts_1h.add(now, bucket_1h, add);
      e.attempts_24h.add(now, bucket_24h, add);
      e.amount_1h.add(now, bucket_1h, amount);
      e.amount_24h.add(now, bucket_24h, amount);
      set(Signal::card_attempts_1m, static_cast<double>(e.attempts_1m.total(now, bucket_1m)) + one);
      set(Signal::card_attempts_1h, static_cast<double>(e.attempts_1h.total(now, bucket_1h)) + one);
      set(Signal::card_attempts_24h, static_cast<double>(e.attempts_24h.total(now, bucket_24h)) + one);
      set(Signal::card_amount_1h, static_cast<double>(e.amount_1h.total(now, bucket_1h)) + own_amount);
      set(Signal::card_amount_24h, static_cast<double>(e.amount_24h.total(now, bucket_24h)) + own_amount);
      set(Signal::card_auth_failures_24h, static_cast<double>(e.auth_failures_24h.total(now, bucket_24h)));
      return 0;
    });
    const std::uint64_t at_merchant = make_key(KeyKind::card_at_merchant, o.card_key + "|" + o.merchant);
    state_.with(at_merchant, [&](Entry& e, bool) {
      set(Signal::card_first_seen_at_merchant, e.seen_30d.total(now, bucket_30d) == 0 ? 1 : 0);
      e.seen_30d.add(now, bucket_30d, add);
      return 0;
    });
  }
  state_.with(make_key(KeyKind::merchant, o.merchant), [&](Entry& e, bool) {
    e.attempts_1m.add(now, bucket_1m, add);
    e.attempts_1h.add(now, bucket_1h, add);
    set(Signal::merchant_attempts_1m, static_cast<double>(e.attempts_1m.total(now, bucket_1m)) + one);
    set(Signal::merchant_attempts_1h, static_cast<double>(e.attempts_1h.total(now, bucket_1h)) + one);
    return 0;
  });
  if (!o.client_ip.empty()) {
    state_.with(make_key(KeyKind::ip, o.client_ip), [&](Entry& e, bool) {
      e.attempts_1m.add(now, bucket_1m, add);
      e.attempts_1h.add(now, bucket_1h, add);
      set(Signal::ip_attempts_1m, static_cast<double>(e.attempts_1m.total(now, bucket_1m)) + one);
      set(Signal::ip_attempts_1h, static_cast<double>(e.attempts_1h.total(now, bucket_1h)) + one);
      const double answers = static_cast<double>(e.answers_1h.total(now, bucket_1h));
      set(Signal::ip_decline_ratio_1h, answers > 0 ? static_cast<double>(e.declines_1h.total(now, bucket_1h)) / answers : 0);
      // Distinct cards in the last hour: at most 64 remembered (16-bit tags of the card
      // keys); enough to see card testing, bounded whatever the attacker does.
      constexpr std::size_t remembered = 64;
      if (!e.recent_cards) e.recent_cards = std::make_unique<std::vector<Entry::Seen>>();
      auto& seen = *e.recent_cards;
      std::erase_if(seen, [&](const Entry::Seen& s) { return now - s.at >= 3600; });
      double distinct = static_cast<double>(seen.size());
      if (card != 0) {
        const auto tag = static_cast<std::uint16_t>(card >> 48);
        auto it = std::find_if(seen.begin(), seen.end(), [&](const Entry::Seen& s) { return s.card == tag; });
        if (!record) {
          if (it == seen.end()) distinct += 1;
        } else if (it != seen.end()) {
          it->at = now;
        } else {
          if (seen.size() >= remembered) seen.erase(seen.begin());
          seen.push_back({tag, now});
          distinct = static_cast<double>(seen.size());
        }
      }
      set(Signal::ip_distinct_cards_1h, distinct);
      return 0;
    });
  }
  if (!o.bin.empty()) {
    state_.with(make_key(KeyKind::bin, o.bin), [&](Entry& e, bool) {
      e.attempts_1h.add(now, bucket_1h, add);
      set(Signal::bin_attempts_1h, static_cast<double>(e.attempts_1h.total(now, bucket_1h)) + one);
      return 0;
    });
  }
  if (!o.billing_country.empty() && !o.issuing_country.empty()) {
    set(Signal::billing_country_mismatch, o.billing_country != o.issuing_country ? 1 : 0);
  }
  if (o.amount > 0) set(Signal::amount_zscore, state_.amount_zscore(o.merchant, o.amount, record));
  return v;
}

void MemoryScreener::feedback(const Observation& o, const Feedback& f, std::int64_t now) {
  if (!o.client_ip.empty()) {
    state_.with(make_key(KeyKind::ip, o.client_ip), [&](Entry& e, bool) {
      e.answers_1h.add(now, bucket_1h, 1);
      if (f.declined) e.declines_1h.add(now, bucket_1h, 1);
      return 0;
    });
  }
  if (f.auth_failure && !o.card_key.empty()) {
    state_.with(make_key(KeyKind::card, o.card_key), [&](Entry& e, bool) {
      e.auth_failures_24h.add(now, bucket_24h, 1);
      return 0;
    });
  }
}

}  // namespace paygate::fraud
