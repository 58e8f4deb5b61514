#include "protocol/iso8583/tlv.h"

namespace paygate::protocol::iso8583 {
namespace {

constexpr int max_depth = 8;

std::optional<TlvError> parse(std::span<const std::uint8_t> bytes, std::size_t base, int depth, std::vector<Tlv>& out) {
  if (depth > max_depth) return TlvError{base, "TLV nesting is too deep"};
  std::size_t i = 0;
  while (i < bytes.size()) {
    Tlv t;
    const std::uint8_t first = bytes[i];
    if (first == 0x00 || first == 0xFF) {  // EMV padding between objects
      t.tag = {first};
      out.push_back(std::move(t));
      ++i;
      continue;
    }
    t.tag.push_back(first);
    ++i;
    if ((first & 0x1F) == 0x1F) {
      for (;;) {
        if (i >= bytes.size()) return TlvError{base + i, "tag runs past the end"};
        t.tag.push_back(bytes[i]);
        if (t.tag.size() > 4) return TlvError{base + i, "tag longer than 4 bytes"};
        if ((bytes[i++] & 0x80) == 0) break;
      }
    }
    if (i >= bytes.size()) return TlvError{base + i, "length runs past the end"};
    const std::uint8_t len0 = bytes[i++];
    t.length_bytes.push_back(len0);
    std::size_t length = len0;
    if (len0 & 0x80) {
      const std::size_t count = len0 & 0x7F;
      if (count == 0) return TlvError{base + i - 1, "indefinite lengths are not allowed"};
      if (count > 3) return TlvError{base + i - 1, "length uses more than 3 bytes"};
      if (count > bytes.size() - i) return TlvError{base + i, "length runs past the end"};
      length = 0;
      for (std::size_t k = 0; k < count; ++k) {
        t.length_bytes.push_back(bytes[i]);
        length = length << 8 | bytes[i++];
      }
    }
    if (length > bytes.size() - i) return TlvError{base + i, "value runs past the end"};
    t.value.assign(bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.begin() + static_cast<std::ptrdiff_t>(i + length));
    if (t.constructed()) {
      std::vector<Tlv> children;
      // A constructed value that is not TLV stays opaque; it is kept as bytes either way.
      if (!parse(t.value, base + i, depth + 1, children)) t.children = std::move(children);
    }
    i += length;
    out.push_back(std::move(t));
  }
  return std::nullopt;
}

}  // namespace

std::string Tlv::tag_hex() const {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (std::uint8_t b : tag) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::optional<TlvError> parse_tlv(std::span<const std::uint8_t> bytes, std::vector<Tlv>& out) {
  out.clear();
  return parse(bytes, 0, 0, out);
}

std::vector<std::uint8_t> serialize_tlv(const std::vector<Tlv>& objects) {
  std::vector<std::uint8_t> out;
  for (const Tlv& t : objects) {
    out.insert(out.end(), t.tag.begin(), t.tag.end());
    out.insert(out.end(), t.length_bytes.begin(), t.length_bytes.end());
    out.insert(out.end(), t.value.begin(), t.value.end());
  }
  return out;
}

}  // namespace paygate::protocol::iso8583
