// libFuzzer target: JWE compact parsing and decryption, with an EC and a symmetric key.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/jwe.h"
#include "fuzz/fuzz_keys.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using paygate::crypto::JoseKey;
  static const JoseKey ec = paygate::fuzz::fixed_ec_key();
  static const JoseKey oct = JoseKey::from_jwk(paygate::fuzz::fixed_oct_jwk).value();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)paygate::crypto::jwe_decrypt(text, ec);
  (void)paygate::crypto::jwe_decrypt(text, oct);
  return 0;
}
