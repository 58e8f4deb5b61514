// Merchant identity lookups: each certificate matcher, API keys by hash, no match.
#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "gateway/merchant_directory.h"

namespace paygate::gateway {
namespace {

TEST(MerchantDirectory, MatchesEachKindOfCredential) {
  config::Config c;
  config::Merchant a;
  a.id = "by-uri";
  a.certificates.push_back({config::CertificateMatch::Kind::san_uri, "spiffe://merchants/a"});
  config::Merchant b;
  b.id = "by-cn";
  b.certificates.push_back({config::CertificateMatch::Kind::subject_cn, "pos-17"});
  config::Merchant f;
  f.id = "by-fingerprint";
  f.certificates.push_back({config::CertificateMatch::Kind::sha256, std::string(64, 'a')});
  config::Merchant k;
  k.id = "by-key";
  k.api_key_sha256.push_back(crypto::hex_encode(crypto::sha256(std::string_view("secret-key"))));
  k.api_key_sha256.push_back(crypto::hex_encode(crypto::sha256(std::string_view("rotated-key"))));
  c.merchants = {a, b, f, k};
  MerchantDirectory d(c);
  ASSERT_TRUE(d.enabled());
  auto id = [](const config::Merchant* m) { return m ? m->id : std::string("none"); };
  EXPECT_EQ(id(d.by_certificate({{"spiffe://other", "spiffe://merchants/a"}, "x", "00"})), "by-uri");
  EXPECT_EQ(id(d.by_certificate({{}, "pos-17", "00"})), "by-cn");
  EXPECT_EQ(id(d.by_certificate({{}, "", std::string(64, 'a')})), "by-fingerprint");
  EXPECT_EQ(id(d.by_certificate({{"spiffe://merchants/b"}, "pos-18", std::string(64, 'b')})), "none");
  EXPECT_EQ(id(d.by_api_key("secret-key")), "by-key");
  EXPECT_EQ(id(d.by_api_key("rotated-key")), "by-key");  // two keys during a key rotation
  EXPECT_EQ(id(d.by_api_key("secret-kez")), "none");
  EXPECT_EQ(id(d.by_api_key("")), "none");
  EXPECT_FALSE(MerchantDirectory(config::Config{}).enabled());
}

}  // namespace
}  // namespace paygate::gateway
