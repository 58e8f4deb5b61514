// libFuzzer target: opening field envelopes. Any input gives a value or a typed error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/aead_envelope.h"
#include "fuzz/fuzz_keys.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const paygate::crypto::EnvelopeCipher cipher(paygate::fuzz::fixed_keyring());
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto opened = cipher.open(text, "$.card.cvv", "acme");
  auto id = paygate::crypto::EnvelopeCipher::key_id_of(text);
  // An envelope that opens must name a key the keyring may decrypt with.
  if (opened.ok() && !id.ok()) __builtin_trap();
  return 0;
}
