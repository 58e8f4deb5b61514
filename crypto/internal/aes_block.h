// Internal to crypto/: an AES block cipher keyed once (key schedule precomputed) and
// shared read-only between threads (Botan's BlockCipher::encrypt is const).
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace Botan { class BlockCipher; }

namespace paygate::crypto::internal {

using Block = std::array<std::uint8_t, 16>;

// AES-128/192/256 chosen by the key's length (16/24/32 bytes).
Result<std::shared_ptr<const Botan::BlockCipher>> make_aes(const SecretBytes& key);

// FF1's fixed first PRF block P (SP 800-38G, FF1 step 5).
Block ff1_p_block(std::uint32_t radix, std::size_t u, std::size_t n, std::size_t tweak_bytes);

// Zero bytes between the tweak and the round number in Q: (-t-b-1) mod 16.
inline std::size_t ff1_q_padding(std::size_t tweak_bytes, std::size_t b) {
  return (16 - (tweak_bytes + b + 1) % 16) % 16;
}

}  // namespace paygate::crypto::internal
