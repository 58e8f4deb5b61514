#include "protocol/http/header_block.h"

namespace paygate::protocol::http {

HeaderBlockScan scan_header_block(std::string_view bytes) {
  for (std::size_t i = bytes.find('\n'); i != std::string_view::npos; i = bytes.find('\n', i + 1)) {
    if (i == 0 || bytes[i - 1] != '\r') return {HeaderBlockState::bad_line_end, 0};
    if (i + 1 == bytes.size()) break;  // what follows this line end has not arrived yet
    const char next = bytes[i + 1];
    if (next == ' ' || next == '\t') return {HeaderBlockState::obs_fold, 0};
    if (next == '\r') {
      if (i + 2 == bytes.size()) break;
      if (bytes[i + 2] != '\n') return {HeaderBlockState::bad_line_end, 0};
      return {HeaderBlockState::complete, i + 3};
    }
  }
  return {HeaderBlockState::incomplete, 0};
}

}  // namespace paygate::protocol::http
