// libFuzzer target: the HTTP/1.1 header block scan the gateway runs before Beast parses
// a request. A complete block ends in CRLF CRLF, holds no bare LF and no folded line; a
// refused one really has one of those; a prefix of a complete block is never refused.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/http/header_block.h"

using namespace paygate::protocol::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const HeaderBlockScan scan = scan_header_block(bytes);
  if (scan.state == HeaderBlockState::complete) {
    if (scan.size < 4 || scan.size > size || bytes.substr(scan.size - 4, 4) != "\r\n\r\n") __builtin_trap();
    const std::string_view block = bytes.substr(0, scan.size);
    for (std::size_t i = 0; i < block.size(); ++i) {
      if (block[i] == '\n' && (i == 0 || block[i - 1] != '\r')) __builtin_trap();
      if (block[i] == '\n' && i + 1 < block.size() && (block[i + 1] == ' ' || block[i + 1] == '\t')) __builtin_trap();
    }
    for (std::size_t cut = 0; cut < scan.size; cut += 1 + cut / 8) {
      if (scan_header_block(block.substr(0, cut)).state != HeaderBlockState::incomplete) __builtin_trap();
    }
  } else if (scan.state != HeaderBlockState::incomplete) {
    if (bytes.find('\n') == std::string_view::npos) __builtin_trap();  // a refusal names a line end
  }
  return 0;
}
