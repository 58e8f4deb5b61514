// libFuzzer target: JWK and PEM key parsing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/jose_key.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto key = paygate::crypto::JoseKey::parse(text);
  if (key.ok()) (void)key.value().spki_sha256_hex();
  return 0;
}
