// Tokenization benchmarks: FPE tokens, and vault tokens on SQLite and on a real
// PostgreSQL server (started here, as the tests do). Run: bench/run-tokens.
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>

#include "tokens/fpe_tokenizer.h"
#include "card/luhn.h"
#include "tokens/store/postgres_vault_store.h"
#include "tokens/store/sqlite_vault_store.h"
#include "tokens/vault_tokenizer.h"
#include "tests/crypto/test_keys.h"
#include "tests/support/postgres.h"
#include "tests/support/process.h"

namespace {

using namespace paygate::crypto;
using namespace paygate::tokens;

std::shared_ptr<const KeyRing> keys() {
  static auto ring = test::ring({test::key("data-1", KeyUse::data, KeyState::primary, 1),
                                 test::key("fp-1", KeyUse::fingerprint, KeyState::primary, 2),
                                 test::key("fpe-1", KeyUse::fpe, KeyState::primary, 3, 1)});
  return ring;
}

// A fresh Luhn-valid 16-digit PAN; `n` makes it unique.
std::string pan_for(std::uint64_t n) {
  char digits[17];
  std::snprintf(digits, sizeof digits, "4%015llu", static_cast<unsigned long long>(n % 1000000000000000ull));
  std::string pan(digits, 16);
  pan[15] = paygate::card::luhn_digit_for(pan, 15, 0);
  return pan;
}

void BM_FpeTokenize(benchmark::State& state) {
  FpeTokenizer t(keys());
  TokenProfile profile;
  profile.kind = TokenKind::fpe;
  std::uint64_t n = 1;
  for (auto _ : state) benchmark::DoNotOptimize(t.tokenize("acme", pan_for(n++ * 7919), profile));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FpeTokenize);

void BM_FpeDetokenize(benchmark::State& state) {
  FpeTokenizer t(keys());
  TokenProfile profile;
  profile.kind = TokenKind::fpe;
  std::vector<std::string> tokens;
  for (std::uint64_t i = 1; i <= 1000; ++i) tokens.push_back(t.tokenize("acme", pan_for(i * 7919), profile).value());
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(t.detokenize("acme", tokens[i++ % tokens.size()], profile));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FpeDetokenize);

// One store per benchmark run, shared by its threads.
std::shared_ptr<VaultStore> make_store(const std::string& kind) {
  if (kind == "sqlite") {
    static auto dir = paygate::test::make_temp_dir("bench-vault");
    static int n = 0;
    std::string name = "vault-";  // built in steps: g++ 12 -O3 misreports a chained + (-Wrestrict)
    name += std::to_string(++n);
    name += ".db";
    return std::shared_ptr<VaultStore>(SqliteVaultStore::open((dir / name).string()).value());
  }
  return std::shared_ptr<VaultStore>(
      PostgresVaultStore::open(paygate::test::PostgresServer::instance().create_database(), 4).value());
}

std::shared_ptr<VaultStore> shared_store;
std::atomic<std::uint64_t> next_pan{1};

template <int Kind>  // 0 sqlite, 1 postgres
void BM_VaultTokenizeNew(benchmark::State& state) {
  if (state.thread_index() == 0) shared_store = make_store(Kind == 0 ? "sqlite" : "postgres");
  VaultTokenizer vault(keys(), shared_store);
  TokenProfile profile;
  for (auto _ : state) benchmark::DoNotOptimize(vault.tokenize("acme", pan_for(next_pan++ * 104729), profile));
  state.SetItemsProcessed(state.iterations());
}

template <int Kind>
void BM_VaultTokenizeKnown(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared_store = make_store(Kind == 0 ? "sqlite" : "postgres");
    VaultTokenizer seed(keys(), shared_store);
    for (std::uint64_t i = 1; i <= 200; ++i) (void)seed.tokenize("acme", pan_for(i), TokenProfile{});
  }
  VaultTokenizer vault(keys(), shared_store);
  std::uint64_t i = static_cast<std::uint64_t>(state.thread_index());
  for (auto _ : state) benchmark::DoNotOptimize(vault.tokenize("acme", pan_for(1 + i++ % 200), TokenProfile{}));
  state.SetItemsProcessed(state.iterations());
}

template <int Kind>
void BM_VaultDetokenize(benchmark::State& state) {
  static std::vector<std::string> tokens;
  if (state.thread_index() == 0) {
    shared_store = make_store(Kind == 0 ? "sqlite" : "postgres");
    VaultTokenizer seed(keys(), shared_store);
    tokens.clear();
    for (std::uint64_t i = 1; i <= 200; ++i) tokens.push_back(seed.tokenize("acme", pan_for(i), TokenProfile{}).value());
  }
  VaultTokenizer vault(keys(), shared_store);
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) benchmark::DoNotOptimize(vault.detokenize("acme", tokens[i++ % tokens.size()]));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_VaultTokenizeNew<0>)->Name("Sqlite/TokenizeNew")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_VaultTokenizeKnown<0>)->Name("Sqlite/TokenizeKnown")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_VaultDetokenize<0>)->Name("Sqlite/Detokenize")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_VaultTokenizeNew<1>)->Name("Postgres/TokenizeNew")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_VaultTokenizeKnown<1>)->Name("Postgres/TokenizeKnown")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_VaultDetokenize<1>)->Name("Postgres/Detokenize")->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
