// libFuzzer target: ISO 8583 frame headers (all three framings) and track 2 splitting.
// A header either names a length within the framing's maximum or is refused; a split
// track 2 joins back to exactly its input.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/iso8583/framing.h"
#include "protocol/iso8583/track2.h"

using namespace paygate::protocol::iso8583;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (Framing f : {Framing::binary2, Framing::bcd2, Framing::ascii4}) {
    if (size < header_size(f)) continue;
    auto length = read_header(f, std::span<const std::uint8_t>(data, header_size(f)));
    if (length && *length > max_frame(f)) __builtin_trap();
    if (length) {
      std::vector<std::uint8_t> again;
      if (!write_header(f, *length, again) || again.size() != header_size(f)) __builtin_trap();
      if (read_header(f, again) != length) __builtin_trap();
    }
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto track = split_track2(text)) {
    if (join_track2(*track) != text) __builtin_trap();
    if (track->pan.size() < 12 || track->pan.size() > 19) __builtin_trap();
  }
  return 0;
}
