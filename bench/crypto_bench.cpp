// Crypto micro-benchmarks (Google Benchmark): FF1 against its AES lower bound and against
// Botan's FPE_FE1, AEAD envelopes, JWE and fingerprints. Run: bench/run-crypto.
#include <benchmark/benchmark.h>

#include <botan/bigint.h>
#include <botan/block_cipher.h>
#include <botan/fpe_fe1.h>
#include <botan/symkey.h>

#include <chrono>
#include <string>
#include <vector>

#include "crypto/aead_envelope.h"
#include "crypto/ff1.h"
#include "crypto/fingerprint.h"
#include "crypto/jwe.h"
#include "crypto/keyring.h"

namespace {

using namespace paygate::crypto;

SecretBytes key32() { return SecretBytes(Botan::secure_vector<std::uint8_t>(32, 0x42)); }

// The tokenization shape: 16 digits in, tweak = kept digits + merchant id (14 bytes).
const std::string digits16 = "4111119876541111";
const std::vector<std::uint8_t> tweak{'4', '1', '1', '1', '1', '1', '1', '1', '1', '1', 'a', 'c', 'm', 'e'};

// Seconds per single-block AES-256 call through Botan, the unit FF1 is built from.
double aes_block_call_seconds() {
  auto aes = Botan::BlockCipher::create_or_throw("AES-256");
  aes->set_key(std::vector<std::uint8_t>(32, 0x42));
  std::uint8_t block[16] = {};
  constexpr int calls = 2'000'000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) {
    aes->encrypt(block);
    benchmark::DoNotOptimize(block);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / calls;
}

void BM_AesBlockCall(benchmark::State& state) {
  auto aes = Botan::BlockCipher::create_or_throw("AES-256");
  aes->set_key(std::vector<std::uint8_t>(32, 0x42));
  std::uint8_t block[16] = {};
  for (auto _ : state) {
    aes->encrypt(block);
    benchmark::DoNotOptimize(block);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AesBlockCall);

void BM_Ff1Decimal16Encrypt(benchmark::State& state) {
  auto ff1 = Ff1Decimal::create(key32()).value();
  char out[16];
  for (auto _ : state) {
    auto s = ff1.encrypt(digits16, tweak, std::span<char>(out, 16));
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  // The lower bound: the AES calls one encryption needs, at the measured cost per call.
  const double calls = static_cast<double>(Ff1Decimal::block_calls(16, tweak.size()));
  const double bound_ops = 1.0 / (calls * aes_block_call_seconds());
  state.counters["aes_calls_per_op"] = calls;
  state.counters["lower_bound_ops_per_s"] = bound_ops;
  state.counters["ops_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Ff1Decimal16Encrypt);

void BM_Ff1Decimal16Decrypt(benchmark::State& state) {
  auto ff1 = Ff1Decimal::create(key32()).value();
  char out[16];
  for (auto _ : state) {
    auto s = ff1.decrypt(digits16, tweak, std::span<char>(out, 16));
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ff1Decimal16Decrypt);

void BM_Ff1General16Encrypt(benchmark::State& state) {
  auto ff1 = Ff1::create(key32(), 10).value();
  for (auto _ : state) benchmark::DoNotOptimize(ff1.encrypt(std::string_view(digits16), tweak));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ff1General16Encrypt);

// Botan's own FPE (FE1, Bellare-Rogaway-Spies) over the same 10^16 domain, for reference.
void BM_BotanFpeFe1_16Encrypt(benchmark::State& state) {
  Botan::FPE_FE1 fe1(Botan::BigInt("10000000000000000"));
  fe1.set_key(Botan::SymmetricKey(std::vector<std::uint8_t>(32, 0x42)));
  const Botan::BigInt x(digits16);
  for (auto _ : state) benchmark::DoNotOptimize(fe1.encrypt(x, tweak.data(), tweak.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BotanFpeFe1_16Encrypt);

std::shared_ptr<const KeyRing> ring() {
  std::vector<Key> keys;
  keys.push_back(Key::create("data-1", KeyUse::data, KeyAlgorithm::aes_256_gcm, KeyState::primary, 0, key32()).value());
  keys.push_back(Key::create("fp-1", KeyUse::fingerprint, KeyAlgorithm::hmac_sha256, KeyState::primary, 0, key32()).value());
  return std::get<std::shared_ptr<const KeyRing>>(KeyRing::create(std::move(keys)));
}

const std::string field64(64, 'x');

void BM_EnvelopeSeal64(benchmark::State& state) {
  EnvelopeCipher cipher(ring());
  for (auto _ : state) benchmark::DoNotOptimize(cipher.seal(field64, "$.card.holder", "acme"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EnvelopeSeal64);

void BM_EnvelopeOpen64(benchmark::State& state) {
  EnvelopeCipher cipher(ring());
  const std::string sealed = cipher.seal(field64, "$.card.holder", "acme").value();
  for (auto _ : state) benchmark::DoNotOptimize(cipher.open(sealed, "$.card.holder", "acme"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EnvelopeOpen64);

void BM_Fingerprint(benchmark::State& state) {
  Fingerprinter f(ring());
  for (auto _ : state) benchmark::DoNotOptimize(f.fingerprint("acme", "4111111111111111"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Fingerprint);

const std::string cvv_json = R"({"cvv":"737"})";

void BM_JweEncryptRsaOaep256(benchmark::State& state) {
  static const JoseKey key = JoseKey::from_pem(JoseKey::generate_rsa(2048).public_pem()).value();
  for (auto _ : state) benchmark::DoNotOptimize(jwe_encrypt(cvv_json, key));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JweEncryptRsaOaep256);

// The same JWE with content-key reuse (opt-in per processor, docs/crypto.md): one RSA
// operation per window of 1,000 messages instead of one per message.
void BM_JweEncryptRsaOaep256ContentKeyReuse1000(benchmark::State& state) {
  static const JoseKey key = JoseKey::from_pem(JoseKey::generate_rsa(2048).public_pem()).value();
  JweReusingEncryptor reusing({1000, std::chrono::milliseconds(60'000)});
  for (auto _ : state) benchmark::DoNotOptimize(reusing.encrypt(cvv_json, key, {}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JweEncryptRsaOaep256ContentKeyReuse1000);

void BM_JweEncryptEcdhEs(benchmark::State& state) {
  static const JoseKey key = JoseKey::from_pem(JoseKey::generate_p256().public_pem()).value();
  for (auto _ : state) benchmark::DoNotOptimize(jwe_encrypt(cvv_json, key));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JweEncryptEcdhEs);

void BM_JweDecryptRsaOaep256(benchmark::State& state) {
  static const JoseKey key = JoseKey::generate_rsa(2048);
  const std::string compact = jwe_encrypt(cvv_json, key).value();
  for (auto _ : state) benchmark::DoNotOptimize(jwe_decrypt(compact, key));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JweDecryptRsaOaep256);

}  // namespace

BENCHMARK_MAIN();
