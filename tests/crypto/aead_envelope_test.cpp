#include "crypto/aead_envelope.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/encoding.h"
#include "tests/crypto/test_keys.h"

namespace paygate::crypto {
namespace {

using test::key;
using test::ring;

std::string text(const Botan::secure_vector<std::uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

TEST(Envelope, RoundTripsAndNamesItsKey) {
  EnvelopeCipher cipher(ring({key("data-1", KeyUse::data, KeyState::primary, 7)}));
  auto sealed = cipher.seal(std::string_view("123"), "$.card.cvv", "acme");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed.value().rfind("pg1.data-1.", 0), 0u) << sealed.value();
  EXPECT_EQ(EnvelopeCipher::key_id_of(sealed.value()).value(), "data-1");
  // URL-safe: no characters that need escaping in a URL or JSON string.
  EXPECT_EQ(sealed.value().find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."),
            std::string::npos);
  auto opened = cipher.open(sealed.value(), "$.card.cvv", "acme");
  ASSERT_TRUE(opened) << opened.error().to_string();
  EXPECT_EQ(text(opened.value()), "123");
}

TEST(Envelope, EveryEncryptionUsesAFreshNonce) {
  EnvelopeCipher cipher(ring({key("d", KeyUse::data, KeyState::primary, 7)}));
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(seen.insert(cipher.seal(std::string_view("same"), "$.a", "m").value()).second);
}

TEST(Envelope, AValueMovedToAnotherFieldOrMerchantDoesNotOpen) {
  EnvelopeCipher cipher(ring({key("d", KeyUse::data, KeyState::primary, 7)}));
  auto sealed = cipher.seal(std::string_view("secret"), "$.card.cvv", "acme").value();
  EXPECT_EQ(cipher.open(sealed, "$.card.number", "acme").error().code, ErrorCode::authentication_failed);
  EXPECT_EQ(cipher.open(sealed, "$.card.cvv", "globex").error().code, ErrorCode::authentication_failed);
  // Length prefixes keep ("$.a", "bc") and ("$.ab", "c") apart.
  auto ab = cipher.seal(std::string_view("x"), "$.a", "bc").value();
  EXPECT_FALSE(cipher.open(ab, "$.ab", "c"));
}

TEST(Envelope, OldEnvelopesOpenAfterRotationUntilTheKeyIsRetired) {
  auto before = ring({key("d1", KeyUse::data, KeyState::primary, 1)});
  auto old_envelope = EnvelopeCipher(before).seal(std::string_view("v"), "$.f", "m").value();

  auto rotated = ring({key("d1", KeyUse::data, KeyState::active, 1), key("d2", KeyUse::data, KeyState::primary, 2)});
  EnvelopeCipher after(rotated);
  EXPECT_EQ(text(after.open(old_envelope, "$.f", "m").value()), "v");
  EXPECT_EQ(EnvelopeCipher::key_id_of(after.seal(std::string_view("v"), "$.f", "m").value()).value(), "d2");

  auto retired = ring({key("d1", KeyUse::data, KeyState::retired, 1), key("d2", KeyUse::data, KeyState::primary, 2)});
  EXPECT_EQ(EnvelopeCipher(retired).open(old_envelope, "$.f", "m").error().code, ErrorCode::retired_key);
  auto forgotten = ring({key("d2", KeyUse::data, KeyState::primary, 2)});
  EXPECT_EQ(EnvelopeCipher(forgotten).open(old_envelope, "$.f", "m").error().code, ErrorCode::unknown_key);
}

TEST(Envelope, AKeyWithTheSameIdButOtherMaterialFails) {
  auto one = EnvelopeCipher(ring({key("d", KeyUse::data, KeyState::primary, 1)})).seal(std::string_view("v"), "$.f", "m");
  EnvelopeCipher other(ring({key("d", KeyUse::data, KeyState::primary, 2)}));
  EXPECT_EQ(other.open(one.value(), "$.f", "m").error().code, ErrorCode::authentication_failed);
}

TEST(Envelope, MalformedEnvelopesAreTypedErrorsThatQuoteNothing) {
  EnvelopeCipher cipher(ring({key("d", KeyUse::data, KeyState::primary, 7)}));
  auto good = cipher.seal(std::string_view("v"), "$.f", "m").value();
  std::string flipped = good;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad : {std::string(""), std::string("pg1"), std::string("pg2.d.AAAA"), std::string("pg1.d"),
                                 std::string("pg1..AAAA"), std::string("pg1.d!.AAAA"), std::string("pg1.d.***"),
                                 std::string("pg1.d.AAAA"), std::string("pg1.d.") + std::string(200000, 'A')}) {
    auto r = cipher.open(bad, "$.f", "m");
    ASSERT_FALSE(r) << bad.substr(0, 40);
    EXPECT_EQ(r.error().code, ErrorCode::malformed) << bad.substr(0, 40);
  }
  EXPECT_FALSE(cipher.open(flipped, "$.f", "m"));
  EXPECT_EQ(cipher.open("pg1.other." + good.substr(6), "$.f", "m").error().code, ErrorCode::unknown_key);
}

TEST(Envelope, NeedsAPrimaryDataKeyToSeal) {
  EnvelopeCipher cipher(ring({key("f", KeyUse::fingerprint, KeyState::primary, 7)}));
  EXPECT_EQ(cipher.seal(std::string_view("v"), "$.f", "m").error().code, ErrorCode::unknown_key);
  EXPECT_EQ(cipher.seal(std::string(envelope_max_plaintext + 1, 'x'), "$.f", "m").error().code,
            ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace paygate::crypto
