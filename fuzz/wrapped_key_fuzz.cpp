// libFuzzer target: wrapped key files (crypto/key_wrap.h). Any input gives a file or a
// typed error; a file that parses serializes back to the same text, and unwrapping it
// under a fixed KEK gives a key or a typed error — never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/encoding.h"
#include "crypto/key_wrap.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paygate::crypto;
  static const auto kek =
      make_memory_kek("kek-dev", SecretBytes(*hex_decode_secret(std::string(64, '5')))).value();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = WrappedKeyFile::parse(text);
  if (!parsed) {
    if (parsed.error().code != ErrorCode::malformed) __builtin_trap();
    return 0;
  }
  if (WrappedKeyFile::parse(parsed.value().serialize()).value().serialize() != parsed.value().serialize())
    __builtin_trap();
  auto opened = unwrap_key_file(parsed.value(), *kek);
  if (opened.ok() && opened.value().empty()) __builtin_trap();
  return 0;
}
