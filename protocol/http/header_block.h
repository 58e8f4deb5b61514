// Framing of an HTTP/1.1 header block, checked on the raw bytes before Beast parses them.
// Beast accepts obsolete line folding (RFC 9112 §5.2 lets a server replace it with a
// space); a gateway in front of a processor must not, since a proxy elsewhere in the path
// may read the folded header differently (request smuggling). Bare LF line ends are
// refused the same way, without waiting for a CRLF CRLF that will never come.
#pragma once

#include <cstddef>
#include <string_view>

namespace paygate::protocol::http {

enum class HeaderBlockState {
  incomplete,  // no CRLF CRLF yet: read more (up to the header limit)
  complete,    // `size` bytes, the final CRLF CRLF included
  obs_fold,    // a line that starts with a space or tab
  bad_line_end,  // a line ended by LF alone, or a CR not followed by LF
};

struct HeaderBlockScan {
  HeaderBlockState state = HeaderBlockState::incomplete;
  std::size_t size = 0;
};

HeaderBlockScan scan_header_block(std::string_view bytes);

}  // namespace paygate::protocol::http
