#include "config/keyring_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "config/loader.h"
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

const std::string good = R"(keys:
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
                                  "keyring.yaml:10:5: keys[2]: fpe_slot 1 belonged to the destroyed key fpe-0: a "
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
                             "keyring.yaml:5:11: keys[0].file: key file is accessible by group or others (mode 0644); "
                             "run chmod 600: DIR/loose.key",
                             "keyring.yaml:13:15: keys[2].fpe_slot: expected a whole number from 1 to 9",
                             "keyring.yaml:17:16: keys[3].algorithm: algorithm aes-256-gcm does not fit use fingerprint"}))
      << ::testing::PrintToString(messages(r));
}

TEST_F(KeyringLoader, ReportsSetRulesAtTheOffendingKey) {
  std::string yaml = good;
  yaml.replace(yaml.find("state: active"), 13, "state: primary");
  auto r = load(yaml);
  EXPECT_EQ(messages(r), std::vector<std::string>{"keyring.yaml:6:5: keys[1]: second primary key for use data (also keys[0])"});
}

TEST_F(KeyringLoader, NeedsExactlyOneMaterialSource) {
  auto r = load("keys:\n  - id: a\n    use: data\n    state: primary\n");
  EXPECT_EQ(messages(r), std::vector<std::string>{"keyring.yaml:2:5: keys[0].file: exactly one of file and env names the key material"});
  r = load("keys:\n  - id: a\n    use: data\n    state: primary\n    file: data-1.key\n    env: X\n");
  EXPECT_EQ(messages(r), std::vector<std::string>{"keyring.yaml:6:10: keys[0].env: exactly one of file and env names the key material"});
  r = load("keys:\n  - id: a\n    use: dat\n    state: primary\n    file: data-1.key\n");
  EXPECT_EQ(messages(r), std::vector<std::string>{"keyring.yaml:3:10: keys[0].use: expected one of: data, fpe, fingerprint, audit"});
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
  ASSERT_EQ(warnings(*unset.config).size(), 1u);
  EXPECT_NE(warnings(*unset.config)[0].find("verifies no certificate"), std::string::npos);
  auto chosen = load_from_string(base + "vault: { store: postgresql, dsn_env: X, tls: { mode: disable } }\n",
                                 dir_ / "paygate.yaml");
  ASSERT_TRUE(chosen.ok());
  EXPECT_TRUE(warnings(*chosen.config).empty());
}

}  // namespace
}  // namespace paygate::config
