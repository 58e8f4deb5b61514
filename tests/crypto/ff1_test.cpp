#include "crypto/ff1.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <random>
#include <vector>

#include "crypto/encoding.h"
#include "tests/support/vectors.h"

namespace paygate::crypto {
namespace {

SecretBytes key_from_hex(std::string_view hex) { return SecretBytes(*hex_decode_secret(hex)); }

std::vector<std::uint16_t> to_numerals(std::string_view text, std::string_view alphabet) {
  std::vector<std::uint16_t> out;
  for (char c : text) out.push_back(static_cast<std::uint16_t>(alphabet.find(c)));
  return out;
}

TEST(Ff1, EveryNistVectorPassesInTheGeneralEngine) {
  const auto file = test::load_vectors("ff1_nist.json");
  const auto& vectors = file.as_array();
  ASSERT_EQ(vectors.size(), 6u);
  for (const auto& item : vectors) {
    const auto& v = item.as_object();
    const std::string name(v.at("name").as_string());
    const std::string alphabet(v.at("alphabet").as_string());
    auto ff1 = Ff1::create(key_from_hex(v.at("key_hex").as_string()), static_cast<std::uint32_t>(v.at("radix").as_int64()));
    ASSERT_TRUE(ff1) << name;
    auto tweak = *hex_decode(v.at("tweak_hex").as_string());
    const auto plain = to_numerals(v.at("plaintext").as_string(), alphabet);
    const auto cipher = to_numerals(v.at("ciphertext").as_string(), alphabet);
    auto enc = ff1.value().encrypt(std::span<const std::uint16_t>(plain), tweak);
    ASSERT_TRUE(enc) << name << ": " << enc.error().to_string();
    EXPECT_EQ(enc.value(), cipher) << name;
    auto dec = ff1.value().decrypt(std::span<const std::uint16_t>(cipher), tweak);
    ASSERT_TRUE(dec) << name;
    EXPECT_EQ(dec.value(), plain) << name;
    // The text form gives the same answer for alphabets within 0-9a-z.
    auto text = ff1.value().encrypt(std::string_view(v.at("plaintext").as_string()), tweak);
    ASSERT_TRUE(text) << name;
    EXPECT_EQ(text.value(), v.at("ciphertext").as_string()) << name;
  }
}

TEST(Ff1, EveryRadix10NistVectorPassesInTheDecimalEngine) {
  int checked = 0;
  const auto file = test::load_vectors("ff1_nist.json");
  for (const auto& item : file.as_array()) {
    const auto& v = item.as_object();
    if (v.at("radix").as_int64() != 10) continue;
    auto ff1 = Ff1Decimal::create(key_from_hex(v.at("key_hex").as_string()));
    ASSERT_TRUE(ff1);
    auto tweak = *hex_decode(v.at("tweak_hex").as_string());
    auto enc = ff1.value().encrypt(std::string_view(v.at("plaintext").as_string()), tweak);
    ASSERT_TRUE(enc) << v.at("name").as_string();
    EXPECT_EQ(enc.value(), v.at("ciphertext").as_string()) << v.at("name").as_string();
    auto dec = ff1.value().decrypt(std::string_view(v.at("ciphertext").as_string()), tweak);
    ASSERT_TRUE(dec);
    EXPECT_EQ(dec.value(), v.at("plaintext").as_string());
    ++checked;
  }
  EXPECT_EQ(checked, 4);  // samples 1, 4, 5 and 8
}

TEST(Ff1, BothEnginesAgreeOnRandomInputsOfEveryLengthAndTweakSize) {
  std::mt19937_64 rng(42);
  for (std::size_t key_size : {16u, 24u, 32u}) {
    Botan::secure_vector<std::uint8_t> raw(key_size);
    for (auto& byte : raw) byte = static_cast<std::uint8_t>(rng());
    SecretBytes key(raw);
    auto general = Ff1::create(key, 10).value();
    auto fast = Ff1Decimal::create(key).value();
    for (std::size_t n = Ff1Decimal::min_digits; n <= Ff1Decimal::max_digits; ++n) {
      for (std::size_t t : {0u, 1u, 7u, 10u, 11u, 16u, 27u, 40u}) {
        std::string digits(n, '0');
        for (char& c : digits) c = static_cast<char>('0' + rng() % 10);
        std::vector<std::uint8_t> tweak(t);
        for (auto& byte : tweak) byte = static_cast<std::uint8_t>(rng());
        auto a = general.encrypt(std::string_view(digits), tweak);
        auto b = fast.encrypt(std::string_view(digits), tweak);
        ASSERT_TRUE(a && b);
        ASSERT_EQ(a.value(), b.value()) << "n=" << n << " t=" << t;
        ASSERT_EQ(fast.decrypt(std::string_view(b.value()), tweak).value(), digits);
      }
    }
  }
}

TEST(Ff1, DecimalEngineIsABijectionOnTheWholeMinimumDomain) {
  // All 10^6 six-digit inputs map to 10^6 distinct outputs, and each decrypts back.
  auto ff1 = Ff1Decimal::create(key_from_hex("2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94")).value();
  const std::vector<std::uint8_t> tweak{'t', 'o', 'k'};
  std::vector<bool> seen(1'000'000, false);
  char in[7] = {};
  char out[7] = {};
  for (std::uint32_t x = 0; x < 1'000'000; ++x) {
    std::snprintf(in, sizeof in, "%06u", x);
    ASSERT_TRUE(ff1.encrypt(std::string_view(in, 6), tweak, std::span<char>(out, 6)));
    const auto y = static_cast<std::size_t>(std::stoul(std::string(out, 6)));
    ASSERT_FALSE(seen[y]) << "collision at " << x;
    seen[y] = true;
    char back[6];
    ASSERT_TRUE(ff1.decrypt(std::string_view(out, 6), tweak, std::span<char>(back, 6)));
    ASSERT_EQ(std::string_view(back, 6), std::string_view(in, 6));
  }
}

TEST(Ff1, EnforcesTheMinimumDomainAndTheAlphabet) {
  auto key = key_from_hex("2B7E151628AED2A6ABF7158809CF4F3C");
  auto decimal = Ff1Decimal::create(key).value();
  EXPECT_EQ(decimal.encrypt(std::string_view("12345"), {}).error().code, ErrorCode::out_of_domain);
  EXPECT_EQ(decimal.encrypt(std::string_view("12345678901234567890"), {}).error().code, ErrorCode::out_of_domain);
  EXPECT_EQ(decimal.encrypt(std::string_view("12345a"), {}).error().code, ErrorCode::out_of_domain);
  auto general = Ff1::create(key, 10).value();
  EXPECT_EQ(general.encrypt(std::string_view("12345"), {}).error().code, ErrorCode::out_of_domain);
  EXPECT_TRUE(general.encrypt(std::string_view("123456"), {}));
  auto binary = Ff1::create(key, 2).value();  // 2^20 >= 10^6 > 2^19
  EXPECT_EQ(binary.encrypt(std::string_view("0101010101010101010"), {}).error().code, ErrorCode::out_of_domain);
  EXPECT_TRUE(binary.encrypt(std::string_view("01010101010101010101"), {}));
  auto radix36 = Ff1::create(key, 36).value();
  EXPECT_EQ(radix36.encrypt(std::string_view("ABCDEF"), {}).error().code, ErrorCode::out_of_domain);
  auto big = Ff1::create(key, 65536).value();
  std::vector<std::uint16_t> two{1, 65535};
  EXPECT_TRUE(big.encrypt(std::span<const std::uint16_t>(two), {}));
  EXPECT_EQ(Ff1::create(key, 1).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(Ff1::create(key, 65537).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(Ff1::create(SecretBytes(Botan::secure_vector<std::uint8_t>(15)), 10).error().code,
            ErrorCode::invalid_argument);
  // Errors never quote the input.
  EXPECT_EQ(decimal.encrypt(std::string_view("4111x1"), {}).error().reason.find("4111"), std::string::npos);
}

}  // namespace
}  // namespace paygate::crypto
