#include "config/keyring_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "config/loader.h"
#include "crypto/encoding.h"
#include "crypto/kek_components.h"
#include "crypto/kek_source.h"
#include "crypto/key_wrap.h"
#include "crypto/keyring.h"
#include "tests/support/e2e.h"
#include "tests/support/process.h"

namespace paygate::config {
namespace {

namespace fs = std::filesystem;

class KeyringLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir("keyring");
    key("data-1.key", crypto::KeyAlgorithm::aes_256_gcm);
    key("data-2.key", crypto::KeyAlgorithm::aes_256_gcm);
    key("fpe-1.key", crypto::KeyAlgorithm::aes_256_ff1);
    key("fp-1.key", crypto::KeyAlgorithm::hmac_sha256);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void key(const std::string& name, crypto::KeyAlgorithm algorithm, mode_t mode = 0600) {
    std::ofstream(dir_ / name) << crypto::generate_key_hex(algorithm) << "\n";
    ::chmod((dir_ / name).c_str(), mode);
  }

  KeyringLoadResult load(const std::string& yaml) {
    std::ofstream(dir_ / "keyring.yaml") << yaml;
    return load_keyring(dir_ / "keyring.yaml");
  }

  std::vector<std::string> messages(const KeyringLoadResult& r) {
    std::vector<std::string> out;
    for (auto e : r.errors) {
      e.file = fs::path(e.file).filename().string();
      std::string text = e.to_string();
      for (auto pos = text.find(dir_.string()); pos != std::string::npos; pos = text.find(dir_.string()))
        text.replace(pos, dir_.string().size(), "DIR");
      out.push_back(text);
    }
    return out;
  }

  fs::path dir_;
};

const std::string good = R"(allow_plaintext_keys: true
keys:
  - id: data-1
    use: data
    state: active
    file: data-1.key
  - id: data-2
    use: data
    state: primary
    file: data-2.key
  - id: fpe-1
    use: fpe
    state: primary
    fpe_slot: 1
    file: fpe-1.key
  - id: fp-1
    use: fingerprint
    algorithm: hmac-sha256
    state: primary
    file: fp-1.key
)";

TEST_F(KeyringLoader, LoadsAValidKeyringWithRelativeFiles) {
  auto r = load(good);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  EXPECT_EQ(r.keyring->keys().size(), 4u);
  EXPECT_EQ(r.keyring->primary(crypto::KeyUse::data)->id(), "data-2");
  EXPECT_EQ(r.keyring->fpe_for_slot(1).value()->id(), "fpe-1");
  EXPECT_EQ(r.keyring->primary(crypto::KeyUse::fpe)->algorithm(), crypto::KeyAlgorithm::aes_256_ff1);
}

// A destroyed key's tombstone (from `paygate keys destroy`) keeps its slot: a new key in
// it is refused at its line, and the slot answers retired_key.
TEST_F(KeyringLoader, ATombstoneKeepsItsSlot) {
  auto ok = load(good + "destroyed:\n  - { id: fpe-0, use: fpe, fpe_slot: 3 }\n");
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(messages(ok));
  EXPECT_EQ(ok.keyring->fpe_for_slot(3).error().code, crypto::ErrorCode::retired_key);
  auto reused = load(good + "destroyed:\n  - { id: fpe-0, use: fpe, fpe_slot: 1 }\n");
  EXPECT_FALSE(reused.ok());
  EXPECT_EQ(messages(reused), (std::vector<std::string>{
                                  "keyring.yaml:11:5: keys[2]: fpe_slot 1 belonged to the destroyed key fpe-0: a "
                                  "destroyed key's slot is never reused"}))
      << ::testing::PrintToString(messages(reused));
}

TEST_F(KeyringLoader, ReportsEachProblemWithItsPosition) {
  key("loose.key", crypto::KeyAlgorithm::aes_256_gcm, 0644);
  std::string yaml = good;
  yaml.replace(yaml.find("file: data-1.key"), 16, "file: loose.key");
  yaml.replace(yaml.find("state: primary\n    file: data-2.key"), 14, "state: primary");  // unchanged
  yaml.replace(yaml.find("fpe_slot: 1"), 11, "fpe_slot: 12");
  yaml.replace(yaml.find("algorithm: hmac-sha256"), 22, "algorithm: aes-256-gcm");
  auto r = load(yaml);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(messages(r), (std::vector<std::string>{
                             "keyring.yaml:6:11: keys[0].file: key file is accessible by group or others (mode 0644); "
                             "run chmod 600: DIR/loose.key",
                             "keyring.yaml:14:15: keys[2].fpe_slot: expected a whole number from 1 to 9",
                             "keyring.yaml:18:16: keys[3].algorithm: algorithm aes-256-gcm does not fit use fingerprint"}))
      << ::testing::PrintToString(messages(r));
}

TEST_F(KeyringLoader, ReportsSetRulesAtTheOffendingKey) {
  std::string yaml = good;
  yaml.replace(yaml.find("state: active"), 13, "state: primary");
  auto r = load(yaml);
  EXPECT_EQ(messages(r), std::vector<std::string>{"keyring.yaml:7:5: keys[1]: second primary key for use data (also keys[0])"});
}

TEST_F(KeyringLoader, NeedsExactlyOneMaterialSource) {
  auto r = load("keys:\n  - id: a\n    use: data\n    state: primary\n");
  EXPECT_EQ(messages(r), std::vector<std::string>{"keyring.yaml:2:5: keys[0].wrapped: exactly one of wrapped, file and env names the key material"});
  r = load("keys:\n  - id: a\n    use: data\n    state: primary\n    file: data-1.key\n    env: X\n");
  EXPECT_EQ(messages(r), std::vector<std::string>{"keyring.yaml:6:10: keys[0].env: exactly one of wrapped, file and env names the key material"});
  r = load("allow_plaintext_keys: true\nkeys:\n  - id: a\n    use: dat\n    state: primary\n    file: data-1.key\n");
  EXPECT_EQ(messages(r), std::vector<std::string>{"keyring.yaml:4:10: keys[0].use: expected one of: data, fpe, fingerprint, audit"});
}

TEST_F(KeyringLoader, TheMainConfigLoadsItsKeyring) {
  ASSERT_TRUE(load(good).ok());
  test::TestConfig settings;
  settings.sim_port = 9443;
  std::string yaml = test::make_config(settings);
  yaml += "keys: { keyring: " + (dir_ / "keyring.yaml").string() + " }\n";
  auto r = load_from_string(yaml, dir_ / "paygate.yaml");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors.size() ? r.errors[0].to_string() : "");
  ASSERT_NE(r.config->keyring, nullptr);
  EXPECT_EQ(r.config->keyring->primary(crypto::KeyUse::data)->id(), "data-2");
  // A broken keyring makes the whole configuration invalid, with the keyring's position.
  std::ofstream(dir_ / "keyring.yaml") << "keys: 3\n";
  r = load_from_string(yaml, dir_ / "paygate.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.back().to_string(), (dir_ / "keyring.yaml").string() + ":1:7: keys: expected a sequence, found a scalar");
}

TEST_F(KeyringLoader, TokenProfilesAndTheVaultAreReadAndCrossChecked) {
  ASSERT_TRUE(load(good).ok());
  test::TestConfig settings;
  settings.sim_port = 9443;
  const std::string base = test::make_config(settings) + "keys: { keyring: " + (dir_ / "keyring.yaml").string() + " }\n";
  auto r = load_from_string(base + "token_profiles:\n  cards: { kind: vault, keep_front: 8 }\n  fast: { kind: fpe, keep_back: 0 }\n"
                                   "vault: { store: sqlite, path: vault.db, workers: 2 }\n",
                            dir_ / "paygate.yaml");
  ASSERT_TRUE(r.ok()) << r.errors[0].to_string();
  ASSERT_EQ(r.config->token_profiles.size(), 2u);
  EXPECT_EQ(r.config->token_profile("cards")->keep_front, 8);
  EXPECT_EQ(r.config->token_profile("fast")->kind, tokens::TokenKind::fpe);
  EXPECT_EQ(r.config->token_profile("fast")->keep_back, 0);
  EXPECT_EQ(r.config->vault.store, VaultConfig::Store::sqlite);
  EXPECT_EQ(r.config->vault.path, dir_ / "vault.db");
  EXPECT_EQ(r.config->vault.workers, 2u);

  auto messages_of = [&](const std::string& extra) {
    auto bad = load_from_string(base + extra, dir_ / "paygate.yaml");
    std::vector<std::string> out;
    for (const auto& e : bad.errors) out.push_back(e.path + ": " + e.message);
    return out;
  };
  EXPECT_EQ(messages_of("token_profiles:\n  cards: { kind: vault, keep_front: 5 }\nvault: { store: sqlite, path: v.db }\n"),
            std::vector<std::string>{"token_profiles.cards.keep_front: keep_front must be 0, 4, 6 or 8"});
  EXPECT_EQ(messages_of("token_profiles:\n  cards: { kind: vault }\n"),
            std::vector<std::string>{"token_profiles: vault profiles need a vault section"});
  EXPECT_EQ(messages_of("token_profiles:\n  f: { kind: fpe, allow_luhn_invalid: true }\n"),
            std::vector<std::string>{"token_profiles.f.allow_luhn_invalid: fpe profiles cannot accept Luhn-invalid PANs"});
  EXPECT_EQ(messages_of("vault: { store: sqlite, path: /nonexistent/v.db }\n"),
            std::vector<std::string>{"vault.path: folder does not exist (/nonexistent)"});
  EXPECT_EQ(messages_of("vault: { store: postgresql }\n"), std::vector<std::string>{"vault.dsn_env: required key is missing"});
  EXPECT_EQ(messages_of("vault: { store: postgresql, dsn: 'host=x password=secret' , dsn_env: X }\n"),
            std::vector<std::string>{"vault.dsn: unknown key"});  // and never the value
  EXPECT_EQ(messages_of("vault: { store: postgresql, dsn_env: X, tls: { mode: verify-full } }\n"),
            std::vector<std::string>{"vault.tls.ca: required key is missing"});
  EXPECT_EQ(messages_of("vault: { store: postgresql, dsn_env: X, tls: { mode: require } }\n"),
            std::vector<std::string>{"vault.tls.mode: expected one of: verify-full, disable"});
  // Valid without tls, with a warning that names the risk; none once it is chosen.
  auto unset = load_from_string(base + "vault: { store: postgresql, dsn_env: X }\n", dir_ / "paygate.yaml");
  ASSERT_TRUE(unset.ok());
  const auto vault_warnings = [](const Config& c) {
    auto all = warnings(c);
    std::erase_if(all, [](const std::string& w) { return !w.starts_with("vault"); });
    return all;
  };
  ASSERT_EQ(vault_warnings(*unset.config).size(), 1u);
  EXPECT_NE(vault_warnings(*unset.config)[0].find("verifies no certificate"), std::string::npos);
  auto chosen = load_from_string(base + "vault: { store: postgresql, dsn_env: X, tls: { mode: disable } }\n",
                                 dir_ / "paygate.yaml");
  ASSERT_TRUE(chosen.ok());
  EXPECT_TRUE(vault_warnings(*chosen.config).empty());
}

// Keys wrapped under a KEK held as custodians' components (crypto/kek_components.h).
class WrappedKeyring : public KeyringLoader {
 protected:
  void SetUp() override {
    KeyringLoader::SetUp();
    auto g = crypto::generate_kek_components(2).value();
    for (std::size_t i = 0; i < 2; ++i) {
      const auto p = dir_ / ("c" + std::to_string(i + 1));
      std::ofstream(p) << crypto::hex_encode(crypto::reveal_secret(g.components[i])) << "\n";
      ::chmod(p.c_str(), 0600);
    }
    kcvs_ = g.check_values;
    kek_kcv_ = g.kek_check_value;
  }
  std::string keks() const {
    return "keks:\n  - id: kek-a\n    components:\n      check_value: " + kek_kcv_ +
           "\n      parts:\n        - { file: c1, check_value: " + kcvs_[0] + " }\n        - { file: c2, check_value: " +
           kcvs_[1] + " }\n";
  }
  // A wrapped file for a fresh key of `algorithm`, under the components' KEK.
  std::string wrapped(const std::string& name, crypto::KeyAlgorithm algorithm) {
    auto declared = load(keks() + "keys: []\n");
    EXPECT_TRUE(declared.ok()) << ::testing::PrintToString(messages(declared));
    auto kek = crypto::open_kek(declared.keks.at(0)).value();
    const crypto::SecretBytes material(*crypto::hex_decode_secret(crypto::generate_key_hex(algorithm)));
    auto file = crypto::wrap_key_file(*kek, algorithm, material).value();
    EXPECT_TRUE(crypto::write_wrapped_key_file((dir_ / name).string(), file, false));
    return name;
  }
  std::vector<std::string> kcvs_;
  std::string kek_kcv_;
};

TEST_F(WrappedKeyring, OpensWrappedKeysAndNeedsNoPlaintextPermission) {
  const std::string yaml = keks() + "keys:\n" +
                           "  - { id: data-w, use: data, state: primary, wrapped: " +
                           wrapped("data.wrapped", crypto::KeyAlgorithm::aes_256_gcm) + " }\n" +
                           "  - { id: fpe-w, use: fpe, state: primary, fpe_slot: 1, wrapped: " +
                           wrapped("fpe.wrapped", crypto::KeyAlgorithm::aes_128_ff1) + " }\n";
  auto r = load(yaml);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
  EXPECT_EQ(r.keyring->primary(crypto::KeyUse::data)->kek_id(), "kek-a");
  EXPECT_EQ(r.keyring->primary(crypto::KeyUse::fpe)->algorithm(), crypto::KeyAlgorithm::aes_128_ff1) << "from the file";
  ASSERT_EQ(r.sources.size(), 2u);
  EXPECT_EQ(r.sources[0].kind, KeySourceEntry::Kind::wrapped);
  EXPECT_EQ(r.sources[0].line, 9);

  // Without allow_plaintext_keys, a key in the clear is refused at its line; with it, a
  // warning names it.
  auto plain = load(keks() + "keys:\n  - { id: data-1, use: data, state: primary, file: data-1.key }\n");
  EXPECT_EQ(messages(plain),
            std::vector<std::string>{"keyring.yaml:9:52: keys[0].file: key data-1 is in the clear; wrap it under a KEK "
                                     "(paygate keys wrap data-1 --kek KEK_ID) or, for development only, set "
                                     "allow_plaintext_keys: true"});
  test::TestConfig settings;
  settings.sim_port = 9443;
  const std::string config = test::make_config(settings) + "keys: { keyring: " + (dir_ / "keyring.yaml").string() + " }\n";
  std::ofstream(dir_ / "keyring.yaml") << "allow_plaintext_keys: true\n" + keks() +
                                              "keys:\n  - { id: data-1, use: data, state: primary, file: data-1.key }\n";
  auto with_plain = load_from_string(config, dir_ / "paygate.yaml");
  ASSERT_TRUE(with_plain.ok());
  EXPECT_EQ(warnings(*with_plain.config).at(0).rfind("keys: allow_plaintext_keys: key data-1 on disk in the clear", 0), 0u);
  std::ofstream(dir_ / "keyring.yaml") << yaml;
  auto wrapped_only = load_from_string(config, dir_ / "paygate.yaml");
  ASSERT_TRUE(wrapped_only.ok());
  EXPECT_TRUE(warnings(*wrapped_only.config).empty());
}

TEST_F(WrappedKeyring, EachFailureIsNamedAtItsLine) {
  const std::string data = wrapped("data.wrapped", crypto::KeyAlgorithm::aes_256_gcm);
  const auto entry = [](const std::string& file) {
    return "keys:\n  - { id: data-w, use: data, state: primary, wrapped: " + file + " }\n";
  };
  // Tampered: the integrity check fails; the file is named, never its bytes.
  std::string text = test::read_file(dir_ / data);
  const auto at = text.find("wrapped: ") + 20;
  text[at] = text[at] == '0' ? '1' : '0';
  std::ofstream(dir_ / "tampered.wrapped") << text;
  ::chmod((dir_ / "tampered.wrapped").c_str(), 0600);
  EXPECT_EQ(messages(load(keks() + entry("tampered.wrapped"))),
            std::vector<std::string>{"keyring.yaml:9:55: keys[0].wrapped: wrapped key file DIR/tampered.wrapped: the "
                                     "wrapped key does not open under this KEK (wrong KEK or tampered)"});
  // Readable by others.
  ::chmod((dir_ / data).c_str(), 0644);
  EXPECT_EQ(messages(load(keks() + entry(data))),
            std::vector<std::string>{"keyring.yaml:9:55: keys[0].wrapped: wrapped key file is accessible by group or "
                                     "others (mode 0644); run chmod 600: DIR/data.wrapped"});
  ::chmod((dir_ / data).c_str(), 0600);
  // Wrapped under a KEK the keyring does not declare; under one of that id that is another KEK.
  std::string other = test::read_file(dir_ / data);
  other.replace(other.find("kek: kek-a"), 10, "kek: kek-z");
  std::ofstream(dir_ / "other.wrapped") << other;
  ::chmod((dir_ / "other.wrapped").c_str(), 0600);
  EXPECT_EQ(messages(load(keks() + entry("other.wrapped"))),
            std::vector<std::string>{"keyring.yaml:9:55: keys[0].wrapped: wrapped key file DIR/other.wrapped is wrapped "
                                     "under KEK kek-z, which keks does not declare"});
  std::string impostor = test::read_file(dir_ / data);
  impostor.replace(impostor.find("kek_kcv: ") + 9, 6, "ABCDEF");
  std::ofstream(dir_ / "impostor.wrapped") << impostor;
  ::chmod((dir_ / "impostor.wrapped").c_str(), 0600);
  EXPECT_EQ(messages(load(keks() + entry("impostor.wrapped"))),
            std::vector<std::string>{"keyring.yaml:9:55: keys[0].wrapped: wrapped key file DIR/impostor.wrapped: KEK "
                                     "kek-a has check value " + kek_kcv_ + ", the file expects ABCDEF"});
  // A component whose check value is not the one its custodian recorded; one missing.
  std::string wrong = keks();
  wrong.replace(wrong.find(kcvs_[1]), 6, "000000");
  EXPECT_EQ(messages(load(wrong + entry(data))),
            std::vector<std::string>{"keyring.yaml:2:5: keks[0]: KEK kek-a: KEK component 2 (DIR/c2) has check value " +
                                     kcvs_[1] + ", its custodian recorded 000000"});
  fs::rename(dir_ / "c1", dir_ / "c1.away");
  EXPECT_EQ(messages(load(keks() + entry(data))),
            std::vector<std::string>{"keyring.yaml:2:5: keks[0]: KEK kek-a: KEK component 1 (DIR/c1): key file not "
                                     "found: DIR/c1"});
  fs::rename(dir_ / "c1.away", dir_ / "c1");
  // The entry's algorithm against the file's.
  EXPECT_EQ(messages(load(keks() + "keys:\n  - { id: data-w, use: data, algorithm: aes-256-gcm, state: primary, "
                                   "wrapped: " + wrapped("ff1.wrapped", crypto::KeyAlgorithm::aes_256_ff1) + " }\n")),
            std::vector<std::string>{"keyring.yaml:9:79: keys[0].wrapped: wrapped key file DIR/ff1.wrapped holds an "
                                     "aes-256-ff1 key, the entry says aes-256-gcm"});
}

TEST_F(WrappedKeyring, KekDeclarationsAreCheckedAndAnUnreachableTokenIsMarkedUnavailable) {
  EXPECT_EQ(messages(load("keks:\n  - id: k\n    components: { check_value: 123456, parts: [ { file: c1, check_value: "
                          "123456 } ] }\nkeys: []\n")),
            std::vector<std::string>{"keyring.yaml:3:47: keks[0].components.parts: a KEK is split into 2 or 3 "
                                     "components (PCI DSS 3.6.1.2: at least two), not 1"});
  EXPECT_EQ(messages(load("keks:\n  - id: k\n    pkcs11: { module: m.so, token: t, key_label: l, pin: 1234 }\nkeys: []\n")),
            (std::vector<std::string>{
                "keyring.yaml:3:13: keks[0].pkcs11.pin_file: exactly one of pin_file and pin_env gives the user PIN "
                "(never the PIN itself in YAML)",
                "keyring.yaml:3:53: keks[0].pkcs11.pin: unknown key"}));
  // A module that cannot be loaded: the start or reload is refused as "unavailable" (a
  // token that did not answer), which reload counts apart.
  ::setenv("PAYGATE_TEST_PIN", "1234", 1);
  std::string text = test::read_file(dir_ / wrapped("data.wrapped", crypto::KeyAlgorithm::aes_256_gcm));
  text.replace(text.find("kek: kek-a"), 10, "kek: hsm");
  std::ofstream(dir_ / "hsm.wrapped") << text;
  ::chmod((dir_ / "hsm.wrapped").c_str(), 0600);
  auto r = load("keks:\n  - id: hsm\n    pkcs11: { module: missing.so, token: t, key_label: l, pin_env: PAYGATE_TEST_PIN }\n"
                "keys:\n  - { id: data-w, use: data, state: primary, wrapped: hsm.wrapped }\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(messages(r), std::vector<std::string>{"keyring.yaml:2:5: keks[0]: KEK hsm: PKCS#11 module DIR/missing.so "
                                                  "cannot be loaded"});
  EXPECT_EQ(r.errors.at(0).kind, ConfigError::Kind::unavailable);
  EXPECT_EQ(load(good).errors.size(), 0u);
}

// A configuration whose only problem is a key file that is not there names that file, first
// and alone: checks that need the keyring's keys do not pile follow-on errors on top.
TEST_F(KeyringLoader, AMissingKeyFileIsTheOnlyError) {
  std::string yaml = good;
  yaml.replace(yaml.find("file: fp-1.key"), 14, "file: gone.key");
  std::ofstream(dir_ / "keyring.yaml") << yaml;
  test::TestConfig settings;
  settings.sim_port = 9443;
  std::string config = test::make_config(settings);
  config.insert(config.find("logging:"),
                "  - name: screened\n    match: { method: POST, path: /v2/screened }\n    processor: sim\n"
                "    message: authorization\n    fraud_profile: standard\n    token_profile: cards\n"
                "    response: { \"$.code\": encrypt }\n");
  config += "fraud:\n  profiles:\n    standard:\n      rules:\n        - { name: r, when: { ip_distinct_cards_1h: { above: 5 } }, "
            "outcome: block }\n";
  config += "token_profiles:\n  cards: { kind: vault }\nvault: { store: sqlite, path: vault.db }\n";
  config += "keys: { keyring: " + (dir_ / "keyring.yaml").string() + " }\n";
  auto r = load_from_string(config, dir_ / "paygate.yaml");
  ASSERT_FALSE(r.ok());
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.path + ": " + e.message);
  EXPECT_EQ(out, std::vector<std::string>{"keys[3].file: key file not found: " + (dir_ / "gone.key").string()})
      << ::testing::PrintToString(out);
  // The same file with the key there loads: the checks were skipped, not wrong.
  yaml.replace(yaml.find("file: gone.key"), 14, "file: fp-1.key");
  std::ofstream(dir_ / "keyring.yaml") << yaml;
  auto fixed = load_from_string(config, dir_ / "paygate.yaml");
  EXPECT_TRUE(fixed.ok()) << (fixed.errors.empty() ? "" : fixed.errors[0].to_string());
}

}  // namespace
}  // namespace paygate::config
