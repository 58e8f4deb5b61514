// Internal to crypto/: one-shot AES-GCM (128/192/256-bit keys, 16-byte tags) on Botan.
// The envelope and JWE build on it; the Wycheproof vectors test it directly.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <botan/secmem.h>

#include "crypto/status.h"

namespace paygate::crypto::internal {

inline constexpr std::size_t gcm_tag_size = 16;

// Returns ciphertext || tag. Errors: invalid_argument for a key of another size or an
// empty nonce.
Result<std::vector<std::uint8_t>> aes_gcm_seal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                                               std::span<const std::uint8_t> aad,
                                               std::span<const std::uint8_t> plaintext);

// Takes ciphertext || tag. Errors: authentication_failed for any tag mismatch (and for
// input shorter than a tag), invalid_argument as above.
Result<Botan::secure_vector<std::uint8_t>> aes_gcm_open(std::span<const std::uint8_t> key,
                                                        std::span<const std::uint8_t> nonce,
                                                        std::span<const std::uint8_t> aad,
                                                        std::span<const std::uint8_t> sealed);

}  // namespace paygate::crypto::internal
