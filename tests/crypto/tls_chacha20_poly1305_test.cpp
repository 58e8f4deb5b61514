// ChaCha20-Poly1305 is one of the AEADs paygate's TLS policy negotiates (net/tls_context:
// TLS_CHACHA20_POLY1305_SHA256, ECDHE-*-CHACHA20-POLY1305); the primitive is the linked
// OpenSSL's. Every Wycheproof chacha20_poly1305_test.json case against it, so a broken or
// substituted libcrypto is caught here rather than on the wire.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <boost/json.hpp>

#include <memory>

#include "crypto/encoding.h"
#include "tests/support/vectors.h"

namespace paygate::crypto {
namespace {

std::vector<std::uint8_t> hex(const boost::json::value& v) { return *hex_decode(v.as_string()); }

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// Decrypts and checks the tag; nullopt when OpenSSL refuses (tag, IV length, anything).
std::optional<std::vector<std::uint8_t>> open(const std::vector<std::uint8_t>& key, const std::vector<std::uint8_t>& iv,
                                              const std::vector<std::uint8_t>& aad, const std::vector<std::uint8_t>& ct,
                                              std::vector<std::uint8_t> tag) {
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data()) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1))
    return std::nullopt;
  std::vector<std::uint8_t> out(ct.size() + 16);
  int len = 0;
  if (!ct.empty() && EVP_DecryptUpdate(ctx.get(), out.data(), &len, ct.data(), static_cast<int>(ct.size())) != 1)
    return std::nullopt;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &n) != 1)
    return std::nullopt;
  out.resize(static_cast<std::size_t>(len + n));
  return out;
}

TEST(TlsChaCha20Poly1305, EveryWycheproofCase) {
  const auto file = test::load_vectors("wycheproof/chacha20_poly1305_test.json");
  int valid = 0, invalid = 0;
  for (const auto& group : file.at("testGroups").as_array()) {
    for (const auto& item : group.at("tests").as_array()) {
      const auto& t = item.as_object();
      const std::string id = "tcId " + std::to_string(t.at("tcId").as_int64());
      auto opened = open(hex(t.at("key")), hex(t.at("iv")), hex(t.at("aad")), hex(t.at("ct")), hex(t.at("tag")));
      if (t.at("result").as_string() == "valid") {
        ++valid;
        ASSERT_TRUE(opened) << id;
        EXPECT_EQ(*opened, hex(t.at("msg"))) << id;
      } else {
        ++invalid;
        EXPECT_FALSE(opened) << id << " (" << t.at("comment").as_string() << ") was accepted";
      }
    }
  }
  EXPECT_EQ(valid, 256);
  EXPECT_EQ(invalid, 69);
}

}  // namespace
}  // namespace paygate::crypto
