#include "crypto/keyring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "crypto/encoding.h"
#include "tests/support/process.h"

namespace paygate::crypto {
namespace {

SecretBytes material(KeyAlgorithm a, std::uint8_t fill) {
  return SecretBytes(Botan::secure_vector<std::uint8_t>(key_length(a), fill));
}

Key make(std::string id, KeyUse use, KeyState state, int slot = 0, std::uint8_t fill = 1) {
  auto algorithm = default_algorithm(use);
  return Key::create(std::move(id), use, algorithm, state, slot, material(algorithm, fill)).value();
}

std::vector<std::string> problems(std::vector<Key> keys) {
  auto result = KeyRing::create(std::move(keys));
  std::vector<std::string> out;
  if (auto* p = std::get_if<std::vector<KeyringProblem>>(&result)) {
    for (const auto& problem : *p) out.push_back("keys[" + std::to_string(problem.index) + "]: " + problem.message);
  }
  return out;
}

// The review made a new primary FPE key take a retired key's slot: old tokens then opened,
// without error, to strangers' card numbers. A slot now belongs to one key for good:
// retired keys keep it, and a destroyed key's tombstone keeps it after the material is gone.
TEST(KeyRing, AnFpeSlotIsNeverReused) {
  EXPECT_EQ(problems({make("f-old", KeyUse::fpe, KeyState::retired, 3), make("f-new", KeyUse::fpe, KeyState::primary, 3, 2)}),
            std::vector<std::string>{"keys[1]: fpe_slot 3 already belongs to keys[0] (f-old); a slot is never reused "
                                     "while a key that held it is in the keyring, retired or destroyed"});
  auto reused = KeyRing::create({make("f-new", KeyUse::fpe, KeyState::primary, 3, 2)}, {{"f-old", KeyUse::fpe, 3}});
  ASSERT_TRUE(std::holds_alternative<std::vector<KeyringProblem>>(reused));
  auto ring = std::get<std::shared_ptr<const KeyRing>>(
      KeyRing::create({make("f-new", KeyUse::fpe, KeyState::primary, 4, 2)}, {{"f-old", KeyUse::fpe, 3}}));
  EXPECT_EQ(ring->fpe_for_slot(3).error().code, ErrorCode::retired_key);  // the destroyed key's tokens
  EXPECT_NE(ring->fpe_for_slot(3).error().reason.find("destroyed"), std::string::npos);
  EXPECT_EQ(ring->fpe_for_slot(4).value()->id(), "f-new");
  EXPECT_EQ(ring->destroyed().size(), 1u);
  // A tombstone's id is taken for good too.
  auto same_id = KeyRing::create({make("f-old", KeyUse::fpe, KeyState::primary, 4, 2)}, {{"f-old", KeyUse::fpe, 3}});
  EXPECT_TRUE(std::holds_alternative<std::vector<KeyringProblem>>(same_id));
}

TEST(KeyRing, FindsPrimariesAndDecryptKeysByState) {
  auto result = KeyRing::create({make("d1", KeyUse::data, KeyState::retired), make("d2", KeyUse::data, KeyState::active),
                                 make("d3", KeyUse::data, KeyState::primary), make("f1", KeyUse::fpe, KeyState::primary, 1),
                                 make("f2", KeyUse::fpe, KeyState::active, 2), make("f0", KeyUse::fpe, KeyState::retired, 3)});
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<const KeyRing>>(result));
  auto ring = std::get<std::shared_ptr<const KeyRing>>(result);
  EXPECT_EQ(ring->primary(KeyUse::data)->id(), "d3");
  EXPECT_EQ(ring->primary(KeyUse::audit), nullptr);
  EXPECT_EQ(ring->for_decrypt("d2", KeyUse::data).value()->id(), "d2");
  EXPECT_EQ(ring->for_decrypt("d3", KeyUse::data).value()->id(), "d3");
  EXPECT_EQ(ring->for_decrypt("d1", KeyUse::data).error().code, ErrorCode::retired_key);
  EXPECT_EQ(ring->for_decrypt("f1", KeyUse::data).error().code, ErrorCode::wrong_key_use);
  EXPECT_EQ(ring->for_decrypt("nope", KeyUse::data).error().code, ErrorCode::unknown_key);
  EXPECT_EQ(ring->for_decrypt("bad id!", KeyUse::data).error().reason, "malformed key id");
  EXPECT_EQ(ring->fpe_for_slot(2).value()->id(), "f2");
  EXPECT_EQ(ring->fpe_for_slot(3).error().code, ErrorCode::retired_key);
  EXPECT_EQ(ring->fpe_for_slot(4).error().code, ErrorCode::unknown_key);
}

TEST(KeyRing, ReportsEveryBrokenRule) {
  EXPECT_EQ(problems({make("a", KeyUse::data, KeyState::primary), make("a", KeyUse::data, KeyState::active)}),
            std::vector<std::string>{"keys[1]: duplicate key id a (also keys[0])"});
  EXPECT_EQ(problems({make("a", KeyUse::data, KeyState::primary), make("b", KeyUse::data, KeyState::primary)}),
            std::vector<std::string>{"keys[1]: second primary key for use data (also keys[0])"});
  EXPECT_EQ(problems({make("a", KeyUse::data, KeyState::active)}),
            std::vector<std::string>{"keys[0]: use data has live keys but no primary"});
  EXPECT_EQ(problems({make("a", KeyUse::fpe, KeyState::primary, 0)}),
            std::vector<std::string>{"keys[0]: fpe keys need fpe_slot 1..9"});
  EXPECT_EQ(problems({make("a", KeyUse::fpe, KeyState::primary, 2), make("b", KeyUse::fpe, KeyState::active, 2)}),
            std::vector<std::string>{"keys[1]: fpe_slot 2 already belongs to keys[0] (a); a slot is never reused "
                                     "while a key that held it is in the keyring, retired or destroyed"});
  EXPECT_EQ(problems({make("a", KeyUse::audit, KeyState::primary, 4)}),
            std::vector<std::string>{"keys[0]: only fpe keys take fpe_slot"});
  EXPECT_EQ(problems({make("a b", KeyUse::audit, KeyState::primary)}),
            std::vector<std::string>{"keys[0]: key id must be 1 to 64 of A-Z a-z 0-9 _ -"});
  auto wrong = Key::create("w", KeyUse::data, KeyAlgorithm::hmac_sha256, KeyState::primary, 0,
                           material(KeyAlgorithm::hmac_sha256, 1)).value();
  EXPECT_EQ(problems({wrong}), std::vector<std::string>{"keys[0]: algorithm hmac-sha256 does not fit use data"});
  // Retired keys never need a primary (a retired key's slot is its own: AnFpeSlotIsNeverReused).
  EXPECT_TRUE(problems({make("old", KeyUse::fpe, KeyState::retired, 1), make("new", KeyUse::fpe, KeyState::primary, 2),
                        make("gone", KeyUse::audit, KeyState::retired)}).empty());
}

class KeyFiles : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::make_temp_dir("keys"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content, mode_t mode) {
    auto path = (dir_ / name).string();
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(KeyFiles, ReadsHexMaterialFromAPrivateFile) {
  const std::string hex = generate_key_hex(KeyAlgorithm::aes_256_gcm);
  EXPECT_EQ(hex.size(), 64u);
  auto path = write("k", hex + "\n", 0600);
  auto m = read_key_material({KeySource::Kind::file, path}, KeyAlgorithm::aes_256_gcm);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(hex_encode(reveal_secret(m.value())), hex);
}

TEST_F(KeyFiles, RefusesLooseModesWrongLengthsAndNonHex) {
  const std::string hex = generate_key_hex(KeyAlgorithm::aes_256_gcm);
  auto loose = read_key_material({KeySource::Kind::file, write("loose", hex, 0640)}, KeyAlgorithm::aes_256_gcm);
  ASSERT_FALSE(loose);
  EXPECT_EQ(loose.error().code, ErrorCode::key_file);
  EXPECT_NE(loose.error().reason.find("mode 0640"), std::string::npos);
  auto short_key = read_key_material({KeySource::Kind::file, write("short", hex.substr(0, 32), 0600)},
                                     KeyAlgorithm::aes_256_gcm);
  EXPECT_NE(short_key.error().reason.find("holds 16 bytes; aes-256-gcm needs 32"), std::string::npos);
  auto text = read_key_material({KeySource::Kind::file, write("text", "not hex at all", 0400)}, KeyAlgorithm::aes_256_gcm);
  EXPECT_NE(text.error().reason.find("does not hold hex text"), std::string::npos);
  auto missing = read_key_material({KeySource::Kind::file, (dir_ / "none").string()}, KeyAlgorithm::aes_256_gcm);
  EXPECT_NE(missing.error().reason.find("key file not found"), std::string::npos);
  // No error ever quotes the material.
  for (const auto* r : {&loose, &short_key}) EXPECT_EQ(r->error().reason.find(hex.substr(0, 16)), std::string::npos);
}

TEST_F(KeyFiles, ReadsMaterialFromTheEnvironment) {
  const std::string hex = generate_key_hex(KeyAlgorithm::hmac_sha256);
  ::setenv("PAYGATE_TEST_KEY", hex.c_str(), 1);
  auto m = read_key_material({KeySource::Kind::env, "PAYGATE_TEST_KEY"}, KeyAlgorithm::hmac_sha256);
  ASSERT_TRUE(m);
  EXPECT_EQ(m.value().size(), 32u);
  ::unsetenv("PAYGATE_TEST_KEY");
  EXPECT_EQ(read_key_material({KeySource::Kind::env, "PAYGATE_TEST_KEY"}, KeyAlgorithm::hmac_sha256).error().reason,
            "environment variable PAYGATE_TEST_KEY is not set");
}

TEST(KeyCheckValue, IsTheStandardAesKcv) {
  // AES-128 with the FIPS-197 key: AES(K, 0^128) = 66e94bd4ef8a2c3b884cfa59ca342b2e for
  // the all-zero key; KCV = first 3 bytes.
  auto zero = Key::create("z", KeyUse::fpe, KeyAlgorithm::aes_128_ff1, KeyState::primary, 1,
                          material(KeyAlgorithm::aes_128_ff1, 0)).value();
  EXPECT_EQ(zero.check_value(), "66E94B");
  auto hmac = make("h", KeyUse::audit, KeyState::primary);
  EXPECT_EQ(hmac.check_value().size(), 6u);
  EXPECT_NE(hmac.check_value(), make("h2", KeyUse::audit, KeyState::primary, 0, 2).check_value());
}

}  // namespace
}  // namespace paygate::crypto
