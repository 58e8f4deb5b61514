// A KEK inside a real PKCS#11 token (SoftHSM2, crypto/pkcs11_kek.h): created once, found
// again, wrapping and unwrapping data keys of every algorithm; every way of failing named.
#include "crypto/pkcs11_kek.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crypto/encoding.h"
#include "crypto/key_wrap.h"
#include "tests/support/process.h"
#include "tests/support/softhsm.h"

namespace paygate::crypto {
namespace {

namespace fs = std::filesystem;
using paygate::test::SoftHsmToken;

Pkcs11KekLocation location(const SoftHsmToken& token, const std::string& key_label) {
  return {paygate::test::softhsm_module, token.label(), key_label, {KeySource::Kind::file, token.pin_file().string()}};
}

void expect_error(const Error& error, ErrorCode code, const std::string& text) {
  EXPECT_EQ(error.code, code) << error.to_string();
  EXPECT_NE(error.reason.find(text), std::string::npos) << error.reason;
  EXPECT_EQ(error.reason.find(paygate::test::softhsm_user_pin), std::string::npos) << "never the PIN";
}

TEST(Pkcs11Kek, CreatedOnceFoundAgainAndWrapsEveryKindOfKey) {
  SoftHsmToken token(paygate::test::make_temp_dir("pkcs11-kek"), "paygate-test");
  auto created = create_pkcs11_kek(location(token, "kek-a"));
  ASSERT_TRUE(created) << created.error().to_string();
  EXPECT_FALSE(created.value().existed);
  EXPECT_EQ(created.value().check_value.size(), 6u);
  auto again = create_pkcs11_kek(location(token, "kek-a"));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value().existed);
  EXPECT_EQ(again.value().check_value, created.value().check_value);

  auto kek = open_pkcs11_kek("kek-2026", location(token, "kek-a"));
  ASSERT_TRUE(kek) << kek.error().to_string();
  EXPECT_EQ(kek.value()->id(), "kek-2026");
  EXPECT_EQ(kek.value()->check_value(), created.value().check_value);
  for (KeyAlgorithm algorithm : {KeyAlgorithm::aes_256_gcm, KeyAlgorithm::aes_128_ff1, KeyAlgorithm::aes_256_ff1,
                                 KeyAlgorithm::hmac_sha256}) {
    const SecretBytes data_key(*hex_decode_secret(generate_key_hex(algorithm)));
    auto file = wrap_key_file(*kek.value(), algorithm, data_key);
    ASSERT_TRUE(file) << file.error().to_string();
    EXPECT_EQ(file.value().wrapped.size(), ((data_key.size() + 7) / 8) * 8 + 8) << "RFC 5649 output";
    auto opened = unwrap_key_file(file.value(), *kek.value());
    ASSERT_TRUE(opened) << opened.error().to_string();
    EXPECT_EQ(reveal_secret(opened.value()), reveal_secret(data_key));
    WrappedKeyFile tampered = file.value();
    tampered.wrapped[5] ^= 0x04;
    EXPECT_EQ(unwrap_key_file(tampered, *kek.value()).error().code, ErrorCode::authentication_failed) << unwrap_key_file(tampered, *kek.value()).error().reason;
  }
  // A second KEK in the same token wraps differently; the file names which one it needs.
  ASSERT_TRUE(create_pkcs11_kek(location(token, "kek-b")));
  auto other = open_pkcs11_kek("kek-2027", location(token, "kek-b")).value();
  EXPECT_NE(other->check_value(), kek.value()->check_value());
  const SecretBytes data_key(*hex_decode_secret(generate_key_hex(KeyAlgorithm::aes_256_gcm)));
  auto file = wrap_key_file(*kek.value(), KeyAlgorithm::aes_256_gcm, data_key).value();
  expect_error(unwrap_key_file(file, *other).error(), ErrorCode::invalid_argument, "wrapped under KEK kek-2026");
  // Same id, other token key: the check value tells them apart before the token is asked.
  auto impostor = open_pkcs11_kek("kek-2026", location(token, "kek-b")).value();
  expect_error(unwrap_key_file(file, *impostor).error(), ErrorCode::invalid_argument, "the file expects");
}

TEST(Pkcs11Kek, EachFailureNamesTheModuleTokenOrKeyAndNeverThePin) {
  const fs::path dir = paygate::test::make_temp_dir("pkcs11-kek-bad");
  SoftHsmToken token(dir, "paygate-bad");
  ASSERT_TRUE(create_pkcs11_kek(location(token, "kek")));

  auto where = location(token, "kek");
  const fs::path wrong_pin = dir / "wrong.pin";
  {
    std::ofstream(wrong_pin) << "not-the-pin\n";
    fs::permissions(wrong_pin, fs::perms::owner_read | fs::perms::owner_write);
  }
  where.pin.location = wrong_pin.string();
  expect_error(open_pkcs11_kek("k", where).error(), ErrorCode::invalid_argument,
               "PKCS#11 module /usr/lib/softhsm/libsofthsm2.so, slot ");
  expect_error(open_pkcs11_kek("k", where).error(), ErrorCode::invalid_argument, "login refused: wrong PIN");

  where = location(token, "kek");
  where.token_label = "no-such-token";
  expect_error(open_pkcs11_kek("k", where).error(), ErrorCode::unavailable, "no token labelled \"no-such-token\"");

  where = location(token, "no-such-key");
  expect_error(open_pkcs11_kek("k", where).error(), ErrorCode::not_found,
               "(token \"paygate-bad\"): no key labelled \"no-such-key\"");

  where = location(token, "kek");
  where.module = (dir / "missing.so").string();
  expect_error(open_pkcs11_kek("k", where).error(), ErrorCode::unavailable, "missing.so cannot be loaded");

  where = location(token, "kek");
  fs::permissions(token.pin_file(), fs::perms::group_read, fs::perm_options::add);
  expect_error(open_pkcs11_kek("k", where).error(), ErrorCode::key_file, "hsm.pin");
  fs::permissions(token.pin_file(), fs::perms::group_read, fs::perm_options::remove);

  where.pin = {KeySource::Kind::env, "PAYGATE_TEST_NO_SUCH_PIN"};
  expect_error(open_pkcs11_kek("k", where).error(), ErrorCode::key_file, "PAYGATE_TEST_NO_SUCH_PIN is not set");
  ::setenv("PAYGATE_TEST_HSM_PIN", paygate::test::softhsm_user_pin, 1);
  where.pin = {KeySource::Kind::env, "PAYGATE_TEST_HSM_PIN"};
  EXPECT_TRUE(open_pkcs11_kek("k", where)) << "the PIN from the environment";
}

}  // namespace
}  // namespace paygate::crypto
