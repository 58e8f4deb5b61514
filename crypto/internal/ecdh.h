// Internal to crypto/: ECDH on P-256 with strict public-key checks, and the JOSE Concat
// KDF (RFC 7518 section 4.6.2).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include <botan/secmem.h>

#include "crypto/status.h"

namespace Botan {
class PointGFp;
class Public_Key;
class Private_Key;
}  // namespace Botan

namespace paygate::crypto::internal {

// A point from affine coordinates (32 bytes each); refused unless on P-256 and not the
// identity.
Result<std::shared_ptr<const Botan::PointGFp>> p256_point(std::span<const std::uint8_t> x,
                                                          std::span<const std::uint8_t> y);

// The P-256 point inside a public key (SubjectPublicKeyInfo already parsed). Refused for
// non-EC keys and for other curves.
Result<std::shared_ptr<const Botan::PointGFp>> p256_point_of(const Botan::Public_Key& key);

// Z = x-coordinate of d * peer, 32 bytes. `key` must be an EC private key on P-256.
Result<Botan::secure_vector<std::uint8_t>> ecdh_p256(const Botan::Private_Key& key, const Botan::PointGFp& peer);

// A fresh ephemeral P-256 key pair.
std::unique_ptr<Botan::Private_Key> p256_generate();
// Affine coordinates of a P-256 public point, 32 bytes each.
void p256_coordinates(const Botan::PointGFp& point, std::vector<std::uint8_t>& x, std::vector<std::uint8_t>& y);
const Botan::PointGFp& public_point_of(const Botan::Private_Key& key);

// Concat KDF with SHA-256 for keydatalen <= 256 bits, as JWE ECDH-ES uses it.
Botan::secure_vector<std::uint8_t> concat_kdf_sha256(std::span<const std::uint8_t> z, std::string_view algorithm_id,
                                                     std::span<const std::uint8_t> apu,
                                                     std::span<const std::uint8_t> apv, std::size_t key_bytes);

}  // namespace paygate::crypto::internal
