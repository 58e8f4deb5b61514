#include "crypto/fingerprint.h"

#include <gtest/gtest.h>

#include <botan/mac.h>

#include "crypto/encoding.h"
#include "tests/crypto/test_keys.h"

namespace paygate::crypto {
namespace {

using test::key;
using test::ring;

TEST(Fingerprint, IsHmacSha256OfLengthPrefixedMerchantAndPan) {
  Fingerprinter f(ring({key("fp1", KeyUse::fingerprint, KeyState::primary, 9)}));
  auto fp = f.fingerprint("acme", "4111111111111111").value();
  EXPECT_EQ(fp.key_id, "fp1");
  // Recompute independently with Botan's HMAC.
  auto mac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
  mac->set_key(std::vector<std::uint8_t>(32, 9));
  mac->update(std::vector<std::uint8_t>{0, 0, 0, 4});
  mac->update("acme");
  mac->update("4111111111111111");
  EXPECT_EQ(fp.hex(), hex_encode(mac->final()));
  EXPECT_EQ(fp.hex().find("4111"), std::string::npos);
}

TEST(Fingerprint, IsConvergentPerMerchantAndDistinctAcrossMerchants) {
  Fingerprinter f(ring({key("fp1", KeyUse::fingerprint, KeyState::primary, 9)}));
  EXPECT_EQ(f.fingerprint("acme", "4111111111111111").value(), f.fingerprint("acme", "4111111111111111").value());
  EXPECT_FALSE(f.fingerprint("acme", "4111111111111111").value() == f.fingerprint("globex", "4111111111111111").value());
  EXPECT_FALSE(f.fingerprint("acme", "4111111111111111").value() == f.fingerprint("acme", "4111111111111112").value());
}

TEST(Fingerprint, OldKeysStillComputeForLookupsRetiredOnesDoNot) {
  Fingerprinter f(ring({key("fp1", KeyUse::fingerprint, KeyState::active, 1), key("fp2", KeyUse::fingerprint, KeyState::primary, 2),
                        key("fp0", KeyUse::fingerprint, KeyState::retired, 3)}));
  EXPECT_EQ(f.fingerprint("m", "4111111111111111").value().key_id, "fp2");
  EXPECT_EQ(f.fingerprint_with("fp1", "m", "4111111111111111").value().key_id, "fp1");
  EXPECT_EQ(f.fingerprint_with("fp0", "m", "4111111111111111").error().code, ErrorCode::retired_key);
  Fingerprinter none(ring({key("d", KeyUse::data, KeyState::primary, 1)}));
  EXPECT_EQ(none.fingerprint("m", "4111111111111111").error().code, ErrorCode::unknown_key);
}

}  // namespace
}  // namespace paygate::crypto
