// Wrapped data keys (crypto/key_wrap.h): RFC 5649 against the RFC's own examples, and the
// wrapped key file: round trip, and every way a file can be wrong refused by name.
#include "crypto/key_wrap.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/encoding.h"
#include "tests/support/vectors.h"

namespace paygate::crypto {
namespace {

SecretBytes secret(std::string_view hex) { return SecretBytes(*hex_decode_secret(hex)); }
std::vector<std::uint8_t> bytes(const boost::json::value& v) { return *hex_decode(v.as_string()); }

TEST(KeyWrap, Rfc5649Examples) {
  const auto file = test::load_vectors("rfc5649.json");
  int cases = 0;
  for (const auto& item : file.at("tests").as_array()) {
    const auto& t = item.as_object();
    const SecretBytes kek = secret(t.at("kek").as_string());
    const auto key = bytes(t.at("key"));
    auto wrapped = wrap_key(kek, key);
    ASSERT_TRUE(wrapped) << t.at("name").as_string();
    EXPECT_EQ(wrapped.value(), bytes(t.at("wrapped"))) << t.at("name").as_string();
    auto unwrapped = unwrap_key(kek, bytes(t.at("wrapped")));
    ASSERT_TRUE(unwrapped);
    EXPECT_EQ(std::vector<std::uint8_t>(reveal_secret(unwrapped.value()).begin(), reveal_secret(unwrapped.value()).end()),
              key);
    ++cases;
  }
  EXPECT_EQ(cases, 2);
}

TEST(KeyWrap, AWrongKekOrATamperedWrapIsRefused) {
  const SecretBytes kek = secret(std::string(64, '1')), other = secret(std::string(64, '2'));
  const std::vector<std::uint8_t> key(32, 0x5a);
  auto wrapped = wrap_key(kek, key).value();
  EXPECT_EQ(unwrap_key(other, wrapped).error().code, ErrorCode::authentication_failed);
  wrapped[9] ^= 1;
  EXPECT_EQ(unwrap_key(kek, wrapped).error().code, ErrorCode::authentication_failed);
  EXPECT_EQ(wrap_key(secret("00112233"), key).error().code, ErrorCode::invalid_argument);
}

TEST(KeyWrap, AWrappedKeyFileRoundTripsAndNamesWhatIsWrong) {
  const SecretBytes kek = secret(std::string(64, 'a'));
  const SecretBytes data_key = secret(std::string(64, 'b'));
  auto kek_2026 = make_memory_kek("kek-2026", kek).value();
  auto file = wrap_key_file(*kek_2026, KeyAlgorithm::aes_256_gcm, data_key);
  ASSERT_TRUE(file);
  const std::string text = file.value().serialize();
  EXPECT_EQ(text.find(std::string(64, 'b')), std::string::npos) << "never the material";
  EXPECT_EQ(text.rfind("paygate-wrapped-key: 1\nkek: kek-2026\nkek_kcv: " + aes_check_value(kek) +
                           "\nalgorithm: aes-256-gcm\nkey_kcv: ", 0),
            0u)
      << text;
  auto parsed = WrappedKeyFile::parse(text);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  auto opened = unwrap_key_file(parsed.value(), *kek_2026);
  ASSERT_TRUE(opened) << opened.error().to_string();
  EXPECT_EQ(reveal_secret(opened.value()), reveal_secret(data_key));

  // Another KEK id, another KEK under the same id, tampering, a lying check value.
  EXPECT_NE(unwrap_key_file(parsed.value(), *make_memory_kek("kek-2025", kek).value()).error().reason.find(
                "wrapped under KEK kek-2026"),
            std::string::npos);
  EXPECT_NE(unwrap_key_file(parsed.value(), *make_memory_kek("kek-2026", secret(std::string(64, 'c'))).value())
                .error().reason.find("check value"),
            std::string::npos);
  EXPECT_EQ(make_memory_kek("kek-short", secret("00112233")).error().code, ErrorCode::invalid_argument);
  WrappedKeyFile tampered = parsed.value();
  tampered.wrapped[3] ^= 0x80;
  EXPECT_EQ(unwrap_key_file(tampered, *kek_2026).error().code, ErrorCode::authentication_failed);
  WrappedKeyFile lying = parsed.value();
  lying.key_check_value = "000000";
  EXPECT_EQ(unwrap_key_file(lying, *kek_2026).error().code, ErrorCode::key_file);
  WrappedKeyFile other_algorithm = parsed.value();
  other_algorithm.algorithm = KeyAlgorithm::aes_128_ff1;  // 16-byte keys: the 32 unwrapped bytes do not fit
  EXPECT_EQ(unwrap_key_file(other_algorithm, *kek_2026).error().code, ErrorCode::key_file);

  for (const std::string& bad : {std::string(""), std::string("paygate-wrapped-key: 2\n") + text.substr(text.find('\n') + 1),
                                 text.substr(0, text.size() - 1), text + "extra\n",
                                 "kek: x\n" + text, text.substr(0, text.find("wrapped: ") + 9) + "zz\n"}) {
    EXPECT_EQ(WrappedKeyFile::parse(bad).error().code, ErrorCode::malformed) << bad;
  }
}

}  // namespace
}  // namespace paygate::crypto
