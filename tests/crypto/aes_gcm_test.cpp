// The AES-GCM primitive against every Wycheproof aes_gcm_test.json case.
#include "crypto/internal/aes_gcm.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/encoding.h"
#include "tests/support/vectors.h"

namespace paygate::crypto::internal {
namespace {

std::vector<std::uint8_t> hex(const boost::json::value& v) { return *hex_decode(v.as_string()); }

TEST(AesGcm, EveryWycheproofCase) {
  const auto file = test::load_vectors("wycheproof/aes_gcm_test.json");
  int valid = 0, invalid = 0, total = 0;
  for (const auto& group : file.at("testGroups").as_array()) {
    ASSERT_EQ(group.at("tagSize").as_int64(), 128);  // every group fits the primitive's 16-byte tag
    for (const auto& item : group.at("tests").as_array()) {
      const auto& t = item.as_object();
      const std::string id = "tcId " + std::to_string(t.at("tcId").as_int64());
      const auto key = hex(t.at("key"));
      const auto iv = hex(t.at("iv"));
      const auto aad = hex(t.at("aad"));
      const auto msg = hex(t.at("msg"));
      auto sealed = hex(t.at("ct"));
      const auto tag = hex(t.at("tag"));
      sealed.insert(sealed.end(), tag.begin(), tag.end());
      const std::string result(t.at("result").as_string());
      ++total;
      auto opened = aes_gcm_open(key, iv, aad, sealed);
      if (result == "valid") {
        ++valid;
        ASSERT_TRUE(opened) << id << ": " << opened.error().to_string();
        EXPECT_EQ(std::vector<std::uint8_t>(opened.value().begin(), opened.value().end()), msg) << id;
        auto again = aes_gcm_seal(key, iv, aad, msg);
        ASSERT_TRUE(again) << id;
        EXPECT_EQ(again.value(), sealed) << id;
      } else {
        ASSERT_EQ(result, "invalid") << id;  // the file has no "acceptable" GCM cases
        ++invalid;
        EXPECT_FALSE(opened) << id << " (" << t.at("comment").as_string() << ") was accepted";
      }
    }
  }
  EXPECT_EQ(total, 316);
  EXPECT_EQ(valid, 229);
  EXPECT_EQ(invalid, 87);
}

TEST(AesGcm, RejectsBadKeysAndEmptyNonces) {
  std::vector<std::uint8_t> key(32, 1), nonce(12, 2);
  EXPECT_EQ(aes_gcm_seal(std::vector<std::uint8_t>(20), nonce, {}, {}).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(aes_gcm_seal(key, {}, {}, {}).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(aes_gcm_open(key, nonce, {}, std::vector<std::uint8_t>(15)).error().code, ErrorCode::authentication_failed);
}

}  // namespace
}  // namespace paygate::crypto::internal
