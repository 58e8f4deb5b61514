#include "crypto/digest.h"

#include <botan/hash.h>

namespace paygate::crypto {

Sha256 sha256(std::span<const std::uint8_t> bytes) {
  auto hash = Botan::HashFunction::create_or_throw("SHA-256");
  hash->update(bytes.data(), bytes.size());
  Sha256 out;
  hash->final(out.data());
  return out;
}

Sha256 sha256(std::string_view text) {
  return sha256(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace paygate::crypto
