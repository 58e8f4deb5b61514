// Fixed keys for the crypto fuzz targets, so that a crash reproduces from its input alone.
#pragma once

#include <memory>

#include <botan/bigint.h>
#include <botan/ec_group.h>
#include <botan/ecdh.h>
#include <botan/pkcs8.h>

#include "crypto/jose_key.h"
#include "crypto/random.h"
#include "crypto/keyring.h"

namespace paygate::fuzz {

inline std::shared_ptr<const crypto::KeyRing> fixed_keyring() {
  std::vector<crypto::Key> keys;
  keys.push_back(crypto::Key::create("data-1", crypto::KeyUse::data, crypto::KeyAlgorithm::aes_256_gcm,
                                     crypto::KeyState::active, 0,
                                     crypto::SecretBytes(Botan::secure_vector<std::uint8_t>(32, 1)))
                     .value());
  keys.push_back(crypto::Key::create("data-2", crypto::KeyUse::data, crypto::KeyAlgorithm::aes_256_gcm,
                                     crypto::KeyState::primary, 0,
                                     crypto::SecretBytes(Botan::secure_vector<std::uint8_t>(32, 2)))
                     .value());
  keys.push_back(crypto::Key::create("data-0", crypto::KeyUse::data, crypto::KeyAlgorithm::aes_256_gcm,
                                     crypto::KeyState::retired, 0,
                                     crypto::SecretBytes(Botan::secure_vector<std::uint8_t>(32, 3)))
                     .value());
  return std::get<std::shared_ptr<const crypto::KeyRing>>(crypto::KeyRing::create(std::move(keys)));
}

// The P-256 key with d = 0x0101...01, and a 16-byte oct key.
inline crypto::JoseKey fixed_ec_key() {
  Botan::ECDH_PrivateKey key(crypto::system_rng(), Botan::EC_Group("secp256r1"),
                             Botan::BigInt::decode(std::vector<std::uint8_t>(32, 1)));
  return crypto::JoseKey::from_pem(Botan::PKCS8::PEM_encode(key)).value();
}
inline const char* fixed_oct_jwk = R"({"kty":"oct","k":"AgICAgICAgICAgICAgICAg"})";

}  // namespace paygate::fuzz
