// Audit log benchmarks: records per second with fsync batch and always (1 and 4 calling
// threads: group commit), and the time record() adds to a request at a steady 5,000
// requests per second (p50, p99). Files go to $TMPDIR. Run: bench/run-audit.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "crypto/keyring.h"

namespace {

using namespace paygate;
using Clock = std::chrono::steady_clock;

std::shared_ptr<const crypto::KeyRing> keyring() {
  auto key = crypto::Key::create("audit-bench", crypto::KeyUse::audit, crypto::KeyAlgorithm::hmac_sha256,
                                 crypto::KeyState::primary, 0,
                                 crypto::SecretBytes(Botan::secure_vector<std::uint8_t>(32, 0x5a)))
                 .value();
  return std::get<std::shared_ptr<const crypto::KeyRing>>(crypto::KeyRing::create({std::move(key)}));
}

std::filesystem::path fresh_dir() {
  static int n = 0;
  auto dir = std::filesystem::temp_directory_path() / ("paygate-audit-bench-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  return dir;
}

// A request record as the gateway writes one: ids, route, processor, actions, key ids,
// token, masked PAN, result, latency (about 400 bytes sealed).
audit::AuditEvent request_event(std::uint64_t i) {
  return audit::AuditEvent("request")
      .with("request_id", "3f1c9a2e7b4d4e8a9c1f2a6b" + std::to_string(i))
      .with("merchant", "merchant-0042")
      .with("route", "payments")
      .with("processor", "sim")
      .with_strings("actions", std::array<std::string_view, 2>{"issue_token", "encrypt_for_processor"})
      .with_strings("key_ids", std::array<std::string_view, 2>{"data-2026-11", "fp-2026-11"})
      .with("token", "4111119876541234")
      .with("masked_pan", "411111******1111")
      .with("result", "approved")
      .with("latency_us", 1834);
}

audit::AuditLogOptions options(audit::AuditLogOptions::Fsync fsync) {
  audit::AuditLogOptions o;
  o.dir = fresh_dir();
  o.fsync = fsync;
  o.batch_interval = std::chrono::milliseconds(5);
  return o;
}

std::unique_ptr<audit::AuditLog> shared_log;

void BM_AuditRecords(benchmark::State& state) {
  const auto fsync = state.range(0) == 0 ? audit::AuditLogOptions::Fsync::batch : audit::AuditLogOptions::Fsync::always;
  if (state.thread_index() == 0) shared_log = audit::AuditLog::open(options(fsync), keyring()).value();
  std::uint64_t i = 0;
  for (auto _ : state) {
    if (!shared_log->record(request_event(i++)).ok()) state.SkipWithError("record failed");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    shared_log->flush();  // batch: the rate counts records on disk, not only queued
    shared_log.reset();
  }
}
BENCHMARK(BM_AuditRecords)->ArgName("always")->Arg(0)->Arg(1)->Threads(1)->Threads(4)->UseRealTime();

// What a network thread pays per request (issue #21's target: <= 5 us): building the
// gateway's request record (all 26 members, as gateway/flow/payment_flow.cpp writes them)
// and handing it to the log with fsync batch. CPU time of the calling thread only; the
// writer seals and writes on its own thread.
void BM_AuditCallerCostPerRequestRecord(benchmark::State& state) {
  auto log = audit::AuditLog::open(options(audit::AuditLogOptions::Fsync::batch), keyring()).value();
  const std::array<std::string_view, 2> actions{"encrypt_for_processor", "issue_token"};
  const std::array<std::string_view, 2> key_ids{"data-2026-11", "fp-2026-11"};
  const std::array<std::string_view, 0> no_issues{};
  std::uint64_t i = 0;
  for (auto _ : state) {
    audit::AuditEvent event("request");
    event.with("request_id", "97d5db8b685e0001000000000000126a")
        .with("listener", "merchants")
        .with("merchant", "merchant-0042")
        .with("route", "payments")
        .with("method", std::optional<std::string_view>("POST"))
        .with("status", std::optional<std::int64_t>(200))
        .with("mti", std::optional<std::string_view>())
        .with("stan", std::optional<std::string_view>())
        .with("response_code", std::optional<std::string_view>())
        .with("processor", "sim")
        .with("upstream", "answered")
        .with("outcome", "answered")
        .with("latency_us", static_cast<std::int64_t>(1834 + i % 100))
        .with("client_ip", "127.0.0.1")
        .with("trace_id", std::optional<std::string_view>("4bf92f3577b34da6a3ce929d0e0e4736"))
        .with("merchant_reference", std::optional<std::string_view>("order-000123"))
        .with("amount", std::optional<std::uint64_t>(1299))
        .with("currency", std::optional<std::string_view>("EUR"))
        .with("processor_transaction_id", std::optional<std::string_view>("sim_3f1c9a2e7b4d4e8a9c1f2a6b"))
        .with("processor_response_code", std::optional<std::string_view>("00"))
        .with_strings("issue_codes", no_issues)
        .with_strings("actions", actions)
        .with_strings("key_ids", key_ids)
        .with("token", "4111119876541234")
        .with("masked_pan", "411111******1111");
    ++i;
    if (!log->record(std::move(event)).ok()) state.SkipWithError("record failed");
  }
  state.SetItemsProcessed(state.iterations());
  log->flush();
}
BENCHMARK(BM_AuditCallerCostPerRequestRecord);

// Paced at 5,000 records/s for 2 s: what record() costs the request that calls it.
void BM_AuditAddedLatencyAt5000PerSecond(benchmark::State& state) {
  const auto fsync = state.range(0) == 0 ? audit::AuditLogOptions::Fsync::batch : audit::AuditLogOptions::Fsync::always;
  std::vector<double> micros;
  for (auto _ : state) {
    auto log = audit::AuditLog::open(options(fsync), keyring()).value();
    const auto period = std::chrono::microseconds(200);
    auto next = Clock::now();
    for (std::uint64_t i = 0; i < 10000; ++i) {
      std::this_thread::sleep_until(next);
      next += period;
      const auto start = Clock::now();
      if (!log->record(request_event(i)).ok()) state.SkipWithError("record failed");
      micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
  }
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.counters["max_us"] = micros.back();
}
BENCHMARK(BM_AuditAddedLatencyAt5000PerSecond)->ArgName("always")->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
