// Internal to crypto/: RSAES-OAEP (RFC 8017) with MGF1 over the same hash.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <botan/secmem.h>

#include "crypto/status.h"

namespace Botan {
class Public_Key;
class Private_Key;
}  // namespace Botan

namespace paygate::crypto::internal {

// `hash` is "SHA-256" or "SHA-1". The label is empty, as JWE uses it. `key_identity`
// names the key's value (its SPKI SHA-256): each thread keeps the encryptor it built for
// a key and hash (Botan precomputes the modulus' Montgomery form per encryptor), keyed by
// that identity, never by address. The OAEP seed comes from message_rng().
Result<std::vector<std::uint8_t>> rsa_oaep_encrypt(const Botan::Public_Key& key, std::string_view key_identity,
                                                   std::string_view hash, std::span<const std::uint8_t> plaintext);

// The label is empty, as JWE uses it. Every failure (wrong length, not reduced, bad
// padding, a ciphertext made with a label) is the same authentication_failed error, so
// the error tells an attacker nothing (Manger's attack).
Result<Botan::secure_vector<std::uint8_t>> rsa_oaep_decrypt(const Botan::Private_Key& key, std::string_view hash,
                                                            std::span<const std::uint8_t> ciphertext);

}  // namespace paygate::crypto::internal
