#include "crypto/internal/aes_block.h"

#include <botan/block_cipher.h>

namespace paygate::crypto::internal {

Result<std::shared_ptr<const Botan::BlockCipher>> make_aes(const SecretBytes& key) {
  const char* name = nullptr;
  switch (key.size()) {
    case 16: name = "AES-128"; break;
    case 24: name = "AES-192"; break;
    case 32: name = "AES-256"; break;
    default: return make_error(ErrorCode::invalid_argument, "AES keys are 16, 24 or 32 bytes");
  }
  std::shared_ptr<Botan::BlockCipher> cipher(Botan::BlockCipher::create(name).release());
  if (!cipher) return make_error(ErrorCode::internal, std::string(name) + " is not available");
  cipher->set_key(reveal_secret(key));
  return std::shared_ptr<const Botan::BlockCipher>(std::move(cipher));
}

Block ff1_p_block(std::uint32_t radix, std::size_t u, std::size_t n, std::size_t tweak_bytes) {
  Block p{1, 2, 1,
          static_cast<std::uint8_t>(radix >> 16), static_cast<std::uint8_t>(radix >> 8),
          static_cast<std::uint8_t>(radix), 10, static_cast<std::uint8_t>(u % 256),
          static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
          static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n),
          static_cast<std::uint8_t>(tweak_bytes >> 24), static_cast<std::uint8_t>(tweak_bytes >> 16),
          static_cast<std::uint8_t>(tweak_bytes >> 8), static_cast<std::uint8_t>(tweak_bytes)};
  return p;
}

}  // namespace paygate::crypto::internal
