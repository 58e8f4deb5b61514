// What wrapped keys cost at start-up and at every reload: loading a keyring of N keys
// kept in the clear, wrapped under a components KEK (files recombined, AES key unwrap in
// process), and wrapped under a KEK inside a PKCS#11 token (SoftHSM2: module initialized,
// login, one C_UnwrapKey per key). Also each step alone: opening the KEK, one unwrap.
//   bench/run-keyring
#include <benchmark/benchmark.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "config/keyring_loader.h"
#include "crypto/encoding.h"
#include "crypto/kek_components.h"
#include "crypto/kek_source.h"
#include "crypto/key_wrap.h"
#include "tests/support/process.h"
#include "tests/support/softhsm.h"

namespace {

namespace fs = std::filesystem;
using namespace paygate;

enum Custody { plain = 0, components = 1, pkcs11 = 2 };

void write_secret(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text << "\n";
  ::chmod(p.c_str(), 0600);
}

struct Fixture {
  fs::path keyring;
  crypto::KekSpec kek;
};

// One keyring folder per (custody, keys), made on first use.
const Fixture& fixture(Custody custody, int keys) {
  static std::map<std::pair<int, int>, Fixture> made;
  static std::unique_ptr<test::SoftHsmToken> token;
  auto& f = made[{custody, keys}];
  if (!f.keyring.empty()) return f;
  const fs::path dir = test::make_temp_dir("keyring-bench");
  std::string keks;
  if (custody == components) {
    auto g = crypto::generate_kek_components(2).value();
    crypto::KekComponentsSource source{{}, g.kek_check_value};
    for (int i = 0; i < 2; ++i) {
      const auto p = dir / ("c" + std::to_string(i));
      write_secret(p, crypto::hex_encode(crypto::reveal_secret(g.components[static_cast<std::size_t>(i)])));
      source.parts.push_back({p.string(), g.check_values[static_cast<std::size_t>(i)]});
    }
    f.kek = {"kek", source};
    keks = "keks:\n  - id: kek\n    components:\n      check_value: " + g.kek_check_value + "\n      parts:\n" +
           "        - { file: c0, check_value: " + g.check_values[0] + " }\n        - { file: c1, check_value: " +
           g.check_values[1] + " }\n";
  } else if (custody == pkcs11) {
    if (!token) token = std::make_unique<test::SoftHsmToken>(test::make_temp_dir("keyring-bench-hsm"), "bench");
    crypto::Pkcs11KekLocation where{test::softhsm_module, "bench", "kek", {crypto::KeySource::Kind::file, token->pin_file().string()}};
    (void)crypto::create_pkcs11_kek(where).value();
    f.kek = {"kek", where};
    keks = "keks:\n  - id: kek\n" + token->keyring_block("kek", 4);
  }
  std::unique_ptr<crypto::Kek> kek;
  if (custody != plain) kek = crypto::open_kek(f.kek).value();
  std::string entries;
  for (int i = 0; i < keys; ++i) {
    const std::string id = "data-" + std::to_string(i);
    const crypto::SecretBytes material(*crypto::hex_decode_secret(crypto::generate_key_hex(crypto::KeyAlgorithm::aes_256_gcm)));
    entries += "  - { id: " + id + ", use: data, state: " + (i == 0 ? "primary" : "active") + ", ";
    if (custody == plain) {
      write_secret(dir / (id + ".key"), crypto::hex_encode(crypto::reveal_secret(material)));
      entries += "file: " + id + ".key }\n";
    } else {
      auto file = crypto::wrap_key_file(*kek, crypto::KeyAlgorithm::aes_256_gcm, material).value();
      (void)crypto::write_wrapped_key_file((dir / (id + ".wrapped")).string(), file, false);
      entries += "wrapped: " + id + ".wrapped }\n";
    }
  }
  f.keyring = dir / "keyring.yaml";
  std::ofstream(f.keyring) << (custody == plain ? "allow_plaintext_keys: true\n" : "") << keks << "keys:\n" << entries;
  return f;
}

// Start-up and reload: the whole keyring, read, KEK opened, every key unwrapped.
void BM_LoadKeyring(benchmark::State& state) {
  const auto& f = fixture(static_cast<Custody>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) {
    auto loaded = config::load_keyring(f.keyring);
    if (!loaded.ok()) state.SkipWithError(loaded.errors.at(0).to_string().c_str());
    benchmark::DoNotOptimize(loaded.keyring);
  }
  state.SetLabel(state.range(0) == plain ? "plain" : state.range(0) == components ? "components" : "pkcs11");
}
BENCHMARK(BM_LoadKeyring)->ArgsProduct({{plain, components, pkcs11}, {4, 32}})->Unit(benchmark::kMillisecond);

// Opening the KEK alone (components: two files read and checked; pkcs11: initialize,
// session, login, find, check value).
void BM_OpenKek(benchmark::State& state) {
  const auto& f = fixture(static_cast<Custody>(state.range(0)), 4);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::open_kek(f.kek).value());
  state.SetLabel(state.range(0) == components ? "components" : "pkcs11");
}
BENCHMARK(BM_OpenKek)->Arg(components)->Arg(pkcs11)->Unit(benchmark::kMicrosecond);

// One data key unwrapped under an open KEK.
void BM_UnwrapOne(benchmark::State& state) {
  const auto& f = fixture(static_cast<Custody>(state.range(0)), 4);
  auto kek = crypto::open_kek(f.kek).value();
  auto file = crypto::read_wrapped_key_file((f.keyring.parent_path() / "data-0.wrapped").string()).value();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::unwrap_key_file(file, *kek).value());
  state.SetLabel(state.range(0) == components ? "components" : "pkcs11");
}
BENCHMARK(BM_UnwrapOne)->Arg(components)->Arg(pkcs11)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
