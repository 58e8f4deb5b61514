// Fraud screening cost per request: the realistic 10-rule profile of the example config,
// against a state holding 100,000 keys (cards, IPs), with the card fingerprint (HMAC)
// the gateway takes per screened request. Threads: 1 and 2 (shards contend).
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>

#include "config/loader.h"
#include "crypto/fingerprint.h"
#include "fraud/screener.h"

namespace {

using namespace paygate;

const config::Config& example() {
  static auto loaded = config::load(PAYGATE_SOURCE_DIR "/config/examples/paygate.yaml");
  if (!loaded.ok()) std::abort();
  return *loaded.config;
}

fraud::Screener& screener() {
  static fraud::MemoryScreener s(100'000);
  return s;
}

fraud::Observation observation(std::uint64_t i) {
  fraud::Observation o;
  o.card_key = std::to_string(i % 50'000) + "card-fingerprint-hex";
  o.bin = "411111";
  o.merchant = i % 2 ? "acme" : "globex";
  o.client_ip = "10.0." + std::to_string((i / 7) % 50'000);
  o.amount = 1000 + i % 5000;
  o.billing_country = "DE";
  o.issuing_country = "US";
  return o;
}

void BM_ScreenTenRules(benchmark::State& state) {
  const fraud::Profile& profile = *example().fraud.profile("standard");
  auto& s = screener();
  static std::atomic<std::uint64_t> next{0};
  std::int64_t now = 10'000'000;
  for (auto _ : state) {
    const std::uint64_t i = next.fetch_add(1, std::memory_order_relaxed);
    auto d = s.screen(profile, observation(i), now + static_cast<std::int64_t>(i / 1000));
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScreenTenRules)->Threads(1)->Threads(2)->UseRealTime();

void BM_CardFingerprint(benchmark::State& state) {
  crypto::Fingerprinter fingerprints(example().keyring);
  for (auto _ : state) {
    auto fp = fingerprints.fingerprint("paygate-fraud-screening", "4111111111111111");
    benchmark::DoNotOptimize(fp);
    auto hex = fp.value().hex();
    benchmark::DoNotOptimize(hex);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CardFingerprint);

}  // namespace

BENCHMARK_MAIN();
