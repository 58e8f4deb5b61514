// Fraud screening units: the sliding window, the bounded state, every signal (with the
// clock stepped by the test), rule evaluation and dry-run.
#include <gtest/gtest.h>

#include <array>
#include <fstream>

#include "fraud/screener.h"
#include "fraud/state.h"

// g++ says __SANITIZE_ADDRESS__, clang says __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
#define PAYGATE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PAYGATE_UNDER_ASAN 1
#endif
#endif
#ifndef PAYGATE_UNDER_ASAN
#define PAYGATE_UNDER_ASAN 0
#endif

namespace paygate::fraud {
namespace {

double value(const SignalValues& v, Signal s) { return v[static_cast<std::size_t>(s)]; }

TEST(SlidingWindow, CountsWithinTheWindowAndForgetsAfterIt) {
  std::array<std::uint64_t, SlidingWindow::cells(6)> storage{};
  SlidingWindow w(storage, 10);  // 6 x 10 s = one minute
  const std::int64_t t0 = 1'000'000;
  w.add(t0, 1);
  w.add(t0 + 15, 2);
  w.add(t0 + 59, 3);
  EXPECT_EQ(w.total(t0 + 59), 6u);
  EXPECT_EQ(w.total(t0 + 61), 5u);   // the first bucket (t0..t0+9) left the window
  EXPECT_EQ(w.total(t0 + 79), 3u);   // so did t0+15's
  EXPECT_EQ(w.total(t0 + 200), 0u);
  w.add(t0 + 10'000, 7);             // a jump far past the window clears it
  EXPECT_EQ(w.total(t0 + 10'000), 7u);
}

TEST(FraudState, StaysWithinMaxKeysUnderAMillionDistinctKeys) {
  auto rss_kib = [] {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0L;
  };
  FraudState state(20'000);
  const std::size_t ip_minute = tracked_window(KeyKind::ip, Counter::attempts, one_minute);
  const long before = rss_kib();
  for (int i = 0; i < 1'000'000; ++i) {
    state.with(KeyKind::ip, make_key(KeyKind::ip, "10." + std::to_string(i)), [&](Entry& e, bool) {
      e.window(ip_minute)->add(1'000'000, 1);
      return 0;
    });
  }
  EXPECT_LE(state.size(), state.max_keys());
  EXPECT_GE(state.evictions(), 1'000'000u - state.max_keys());
  const long grown_kib = rss_kib() - before;
#if PAYGATE_UNDER_ASAN
  // AddressSanitizer quarantines freed memory (256 MiB by default): RSS measures it, not us.
  (void)grown_kib;
#else
  // About 20,000 entries of well under 1 KiB each: a million keys would be ~500 MiB.
  EXPECT_LT(grown_kib, 64 * 1024) << "RSS grew " << grown_kib << " KiB";
#endif
  // Recently used keys survive; the oldest went.
  bool created = false;
  state.with(KeyKind::ip, make_key(KeyKind::ip, "10.999999"), [&](Entry&, bool c) { return created = c; });
  EXPECT_FALSE(created);
  state.with(KeyKind::ip, make_key(KeyKind::ip, "10.0"), [&](Entry&, bool c) { return created = c; });
  EXPECT_TRUE(created);
}

Observation observation(const std::string& card, const std::string& ip, std::uint64_t amount = 1000) {
  Observation o;
  o.card_key = card;
  o.bin = "411111";
  o.merchant = "acme";
  o.client_ip = ip;
  o.amount = amount;
  return o;
}

TEST(Screener, VelocityPerCardMerchantIpAndBinOverEachWindow) {
  MemoryScreener s(10'000);
  Profile p;
  const std::int64_t t0 = 2'000'000;
  SignalValues v{};
  for (int i = 0; i < 3; ++i) v = s.screen(p, observation("card-a", "192.0.2.1", 500), t0 + i).signals;
  EXPECT_EQ(value(v, Signal::card_attempts_1m), 3);
  EXPECT_EQ(value(v, Signal::card_attempts_1h), 3);
  EXPECT_EQ(value(v, Signal::card_amount_1h), 1500);
  EXPECT_EQ(value(v, Signal::merchant_attempts_1m), 3);
  EXPECT_EQ(value(v, Signal::ip_attempts_1m), 3);
  EXPECT_EQ(value(v, Signal::bin_attempts_1h), 3);
  v = s.screen(p, observation("card-a", "192.0.2.1", 500), t0 + 120).signals;  // two minutes on
  EXPECT_EQ(value(v, Signal::card_attempts_1m), 1);
  EXPECT_EQ(value(v, Signal::card_attempts_1h), 4);
  v = s.screen(p, observation("card-a", "192.0.2.1", 500), t0 + 2 * 3600).signals;
  EXPECT_EQ(value(v, Signal::card_attempts_1h), 1);
  EXPECT_EQ(value(v, Signal::card_attempts_24h), 5);
  EXPECT_EQ(value(v, Signal::card_amount_24h), 2500);
}

TEST(Screener, DistinctCardsPerIpShowCardTesting) {
  MemoryScreener s(10'000);
  Profile p;
  const std::int64_t t0 = 3'000'000;
  SignalValues v{};
  for (int i = 0; i < 12; ++i) v = s.screen(p, observation("card-" + std::to_string(i), "198.51.100.7", 100), t0 + i).signals;
  EXPECT_EQ(value(v, Signal::ip_distinct_cards_1h), 12);
  v = s.screen(p, observation("card-3", "198.51.100.7", 100), t0 + 20).signals;  // a card seen before
  EXPECT_EQ(value(v, Signal::ip_distinct_cards_1h), 12);
  v = s.screen(p, observation("card-x", "198.51.100.7", 100), t0 + 3700).signals;  // an hour later
  EXPECT_EQ(value(v, Signal::ip_distinct_cards_1h), 1);
  // Another IP is unaffected.
  v = s.screen(p, observation("card-0", "203.0.113.9"), t0 + 30).signals;
  EXPECT_EQ(value(v, Signal::ip_distinct_cards_1h), 1);
}

TEST(Screener, FeedbackGivesDeclineRatiosAndAuthFailures) {
  MemoryScreener s(10'000);
  Profile p;
  const std::int64_t t0 = 4'000'000;
  auto o = observation("card-f", "192.0.2.50");
  for (int i = 0; i < 4; ++i) {
    s.screen(p, o, t0 + i);
    s.feedback(o, Feedback{i < 3, i == 0}, t0 + i);
  }
  auto v = s.screen(p, o, t0 + 10).signals;
  EXPECT_DOUBLE_EQ(value(v, Signal::ip_decline_ratio_1h), 0.75);
  EXPECT_EQ(value(v, Signal::card_auth_failures_24h), 1);
}

TEST(Screener, FirstSeenAtMerchantAmountZscoreAndBillingCountry) {
  MemoryScreener s(10'000);
  Profile p;
  const std::int64_t t0 = 5'000'000;
  auto o = observation("card-z", "192.0.2.60", 1000);
  EXPECT_EQ(value(s.screen(p, o, t0).signals, Signal::card_first_seen_at_merchant), 1);
  EXPECT_EQ(value(s.screen(p, o, t0 + 1).signals, Signal::card_first_seen_at_merchant), 0);
  o.merchant = "globex";
  EXPECT_EQ(value(s.screen(p, o, t0 + 2).signals, Signal::card_first_seen_at_merchant), 1);
  // A merchant whose amounts sit around 10.00: 500.00 stands out, 10.50 does not.
  Observation m = observation("card-m", "192.0.2.61");
  m.merchant = "steady";
  for (int i = 0; i < 40; ++i) {
    m.amount = 950 + static_cast<std::uint64_t>(i % 10) * 10;
    s.screen(p, m, t0 + i);
  }
  m.amount = 1050;
  EXPECT_LT(value(s.screen(p, m, t0 + 50).signals, Signal::amount_zscore), 3.5);
  m.amount = 50000;
  EXPECT_GT(value(s.screen(p, m, t0 + 51).signals, Signal::amount_zscore), 100);
  m.issuing_country = "US";  // what fraud.bin_table says of BIN 411111
  m.billing_country = "US";
  EXPECT_EQ(value(s.screen(p, m, t0 + 52).signals, Signal::billing_country_mismatch), 0);
  m.billing_country = "DE";
  EXPECT_EQ(value(s.screen(p, m, t0 + 53).signals, Signal::billing_country_mismatch), 1);
  m.issuing_country = "";  // a BIN the table does not know: no opinion
  EXPECT_EQ(value(s.screen(p, m, t0 + 54).signals, Signal::billing_country_mismatch), 0);
}

// The security review flooded explain's peek with made-up cards and evicted real
// counters. A peek of a full state creates nothing, evicts nothing and changes no count.
TEST(Screener, PeekNeverCreatesOrEvictsState) {
  MemoryScreener s(64);
  const std::int64_t now = 1'000'000;
  const fraud::Profile profile;
  for (int i = 0; i < 3; ++i) s.screen(profile, observation("card-real", "192.0.2.70"), now);
  const auto before = s.peek(observation("card-real", "192.0.2.70"), now);
  const auto tracked = s.tracked_keys();
  const auto evictions = s.evictions();
  for (int i = 0; i < 10'000; ++i) s.peek(observation("probe-" + std::to_string(i), "198.51.100." + std::to_string(i % 250)), now);
  EXPECT_EQ(s.tracked_keys(), tracked);
  EXPECT_EQ(s.evictions(), evictions);
  EXPECT_EQ(s.peek(observation("card-real", "192.0.2.70"), now), before);
  EXPECT_EQ(before[static_cast<std::size_t>(Signal::card_attempts_1m)], 4);  // three made, plus this one
}

TEST(Rules, ScoresThresholdsDirectOutcomesAndDryRun) {
  Profile p;
  p.review_at = 50;
  p.block_at = 100;
  p.rules = {
      {"fast-card", {{Signal::card_attempts_1m, Condition::Op::above, 3}}, 40, Outcome::allow},
      {"big-amount", {{Signal::amount, Condition::Op::at_least, 100000}}, 30, Outcome::allow},
      {"card-testing", {{Signal::ip_distinct_cards_1h, Condition::Op::above, 5}, {Signal::amount, Condition::Op::below, 500}}, 0, Outcome::block},
  };
  SignalValues v{};
  EXPECT_EQ(evaluate(p, v).outcome, Outcome::allow);
  v[static_cast<std::size_t>(Signal::card_attempts_1m)] = 4;
  auto d = evaluate(p, v);
  EXPECT_EQ(d.outcome, Outcome::allow);
  EXPECT_EQ(d.score, 40);
  EXPECT_EQ(d.fired, (std::vector<std::string>{"fast-card"}));
  v[static_cast<std::size_t>(Signal::amount)] = 100000;
  d = evaluate(p, v);
  EXPECT_EQ(d.outcome, Outcome::review);
  EXPECT_EQ(d.reason, "score");
  v = {};
  v[static_cast<std::size_t>(Signal::ip_distinct_cards_1h)] = 6;
  v[static_cast<std::size_t>(Signal::amount)] = 100;
  d = evaluate(p, v);
  EXPECT_EQ(d.outcome, Outcome::block);
  EXPECT_EQ(d.reason, "card-testing");
  v[static_cast<std::size_t>(Signal::amount)] = 600;  // both conditions must hold
  EXPECT_EQ(evaluate(p, v).outcome, Outcome::allow);
  v[static_cast<std::size_t>(Signal::amount)] = 100;
  p.dry_run = true;
  d = evaluate(p, v);
  EXPECT_EQ(d.outcome, Outcome::allow);
  EXPECT_EQ(d.verdict, Outcome::block);
  EXPECT_TRUE(d.dry_run);
}

TEST(Signals, EveryNameRoundTrips) {
  for (std::size_t i = 0; i < signal_count; ++i) {
    const auto s = static_cast<Signal>(i);
    EXPECT_EQ(parse_signal(to_string(s)), s);
  }
  EXPECT_FALSE(parse_signal("card_attempts_2m"));
}

}  // namespace
}  // namespace paygate::fraud
