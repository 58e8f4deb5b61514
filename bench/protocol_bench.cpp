// Protocol benchmarks: a JSON authorization decoded, validated and put through three
// field policies (fake crypto), and an ISO 8583 0100 with 20 fields unpacked and packed.
// Run: bench/run-protocol.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "config/iso8583_spec_loader.h"
#include "protocol/iso8583/codec.h"
#include "protocol/payment/field_policy.h"
#include "protocol/payment/json_decode.h"
#include "protocol/payment/validation.h"

namespace {

using namespace paygate::protocol;

// A typical authorization, about 600 bytes.
const std::string authorization = R"({
  "merchant_reference": "order-2026-11-29-000123",
  "idempotency_key": "3f1c9a2e-7b4d-4e8a-9c1f-2a6b8d0e5f71",
  "amount": {"value": 12999, "currency": "EUR"},
  "card": {"number": "4111111111111111", "expiry_month": 12, "expiry_year": 2030, "cvv": "737",
           "holder_name": "Alexandra Example"},
  "billing_address": {"line1": "Friedrichstrasse 123", "line2": "Aufgang B, 3. OG", "city": "Berlin",
                      "postal_code": "10117", "country": "DE"},
  "metadata": {"channel": "web", "customer_id": "cust_8842", "basket": "b-77123", "campaign": "autumn-sale",
               "device": "ios-17.1", "session": "s-4b2f9c"}
})";

class FakeActions final : public FieldActions {
 public:
  Outcome perform(FieldAction, const std::string&, const boost::json::value& value) override {
    return {boost::json::value(value.is_string() ? "token:" + std::string(value.get_string()) : "x")};
  }
};

FieldRule rule(const char* path, std::initializer_list<FieldAction> actions) {
  std::string error;
  return FieldRule{*FieldPath::parse(path, error), actions};
}

void BM_JsonDecodeValidatePolicies(benchmark::State& state) {
  const FieldPolicy policy{rule("$.card.number", {FieldAction::issue_token, FieldAction::encrypt_for_processor}),
                           rule("$.card.cvv", {FieldAction::encrypt_for_processor}),
                           rule("$.billing_address.line2", {FieldAction::drop})};
  ValidationPolicy vp;
  vp.current_year = 2026;
  vp.current_month = 11;
  FakeActions fake;
  // As the gateway does: one arena per request for the message's JSON tree.
  alignas(std::max_align_t) unsigned char arena[8192];
  for (auto _ : state) {
    boost::json::monotonic_resource request_arena(arena, sizeof arena);
    auto decoded = decode_json(authorization, {}, &request_arena);
    if (!std::holds_alternative<boost::json::value>(decoded)) return state.SkipWithError("the message does not decode");
    auto& message = std::get<boost::json::value>(decoded);
    auto issues = validate_authorization(message, vp);
    auto result = apply_policy(policy, message, fake);
    benchmark::DoNotOptimize(issues);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(authorization.size());
}
BENCHMARK(BM_JsonDecodeValidatePolicies);

void BM_Iso8583UnpackPack0100With20Fields(benchmark::State& state) {
  auto spec = paygate::config::load_iso8583_spec(paygate::config::iso8583_spec_path("iso8583-1987-ascii")).spec;
  iso8583::Message m;
  m.mti = "0100";
  m.fields = {{2, "4111111111111111"}, {3, "000000"}, {4, "000000012999"}, {7, "1129201500"}, {11, "123456"},
              {12, "201500"}, {13, "1129"}, {14, "3012"}, {18, "5999"}, {22, "051"}, {25, "00"}, {32, "123456"},
              {35, "4111111111111111=30121010000000000"}, {37, "000123456789"}, {41, "TERM0001"},
              {42, "MERCHANT0000001"}, {43, "Example Shop          Berlin          DE"}, {48, "additional data"},
              {49, "978"}, {60, "private use"}};
  const auto packed = iso8583::pack(*spec, m);
  // A benchmark of a message that does not pack would time the error path.
  if (!packed.ok()) return state.SkipWithError(packed.error->to_string().c_str());
  auto check = iso8583::unpack(*spec, packed.value);
  if (!check.ok() || check.value.fields != m.fields) return state.SkipWithError("the message does not round-trip");
  for (auto _ : state) {
    auto unpacked = iso8583::unpack(*spec, packed.value);
    auto repacked = iso8583::pack(*spec, unpacked.value);
    if (!unpacked.ok() || !repacked.ok()) return state.SkipWithError("unpack or pack failed");
    benchmark::DoNotOptimize(repacked);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(packed.value.size());
}
BENCHMARK(BM_Iso8583UnpackPack0100With20Fields);

}  // namespace

BENCHMARK_MAIN();
