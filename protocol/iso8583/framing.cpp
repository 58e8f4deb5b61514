#include "protocol/iso8583/framing.h"

namespace paygate::protocol::iso8583 {

std::optional<Framing> parse_framing(std::string_view name) {
  if (name == "binary2") return Framing::binary2;
  if (name == "bcd2") return Framing::bcd2;
  if (name == "ascii4") return Framing::ascii4;
  return std::nullopt;
}

std::size_t header_size(Framing framing) { return framing == Framing::ascii4 ? 4 : 2; }

std::size_t max_frame(Framing framing) { return framing == Framing::binary2 ? 65535 : 9999; }

std::optional<std::size_t> read_header(Framing framing, std::span<const std::uint8_t> header) {
  if (header.size() != header_size(framing)) return std::nullopt;
  std::size_t length = 0;
  switch (framing) {
    case Framing::binary2: return std::size_t{header[0]} << 8 | header[1];
    case Framing::bcd2:
      for (std::uint8_t b : header) {
        if ((b >> 4) > 9 || (b & 15) > 9) return std::nullopt;
        length = length * 100 + (b >> 4) * 10u + (b & 15u);
      }
      return length;
    case Framing::ascii4:
      for (std::uint8_t b : header) {
        if (b < '0' || b > '9') return std::nullopt;
        length = length * 10 + (b - '0');
      }
      return length;
  }
  return std::nullopt;
}

bool write_header(Framing framing, std::size_t length, std::vector<std::uint8_t>& out) {
  if (length > max_frame(framing)) return false;
  switch (framing) {
    case Framing::binary2:
      out.push_back(static_cast<std::uint8_t>(length >> 8));
      out.push_back(static_cast<std::uint8_t>(length));
      return true;
    case Framing::bcd2: {
      const auto hi = length / 100, lo = length % 100;
      out.push_back(static_cast<std::uint8_t>((hi / 10) << 4 | hi % 10));
      out.push_back(static_cast<std::uint8_t>((lo / 10) << 4 | lo % 10));
      return true;
    }
    case Framing::ascii4:
      for (std::size_t divisor : {1000u, 100u, 10u, 1u}) out.push_back(static_cast<std::uint8_t>('0' + length / divisor % 10));
      return true;
  }
  return false;
}

}  // namespace paygate::protocol::iso8583
