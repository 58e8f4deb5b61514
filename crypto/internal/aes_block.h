// Internal to crypto/: an AES block cipher keyed once (key schedule precomputed) and
// shared read-only between threads (Botan's BlockCipher::encrypt is const).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

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

// The value of an ASCII digit string (at most 19 digits: it must fit in 64 bits).
inline std::uint64_t parse_decimal(std::string_view digits) {
  std::uint64_t value = 0;
  for (char c : digits) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

// `value` as exactly out.size() digits, with leading zeros.
inline void write_decimal(std::uint64_t value, std::span<char> out) {
  for (std::size_t i = out.size(); i-- > 0;) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace paygate::crypto::internal
