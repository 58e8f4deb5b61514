// BER-TLV as EMV uses it in field 55. Parsed objects keep their exact encodings (tag
// bytes, length bytes, padding), so an unknown or unusual tag re-serializes byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace paygate::protocol::iso8583 {

struct Tlv {
  std::vector<std::uint8_t> tag;           // 1..4 bytes as on the wire; one 0x00/0xFF byte for padding
  std::vector<std::uint8_t> length_bytes;  // as on the wire (short or long form); empty for padding
  std::vector<std::uint8_t> value;
  std::vector<Tlv> children;               // for constructed tags whose value parses as TLV

  bool padding() const { return length_bytes.empty(); }
  bool constructed() const { return !tag.empty() && (tag[0] & 0x20) != 0; }
  std::string tag_hex() const;
};

struct TlvError {
  std::size_t offset;  // where parsing stopped
  std::string reason;  // never the value bytes
};

// Errors: a tag or length running past the end, indefinite or over-long lengths (more
// than 3 length bytes), tags longer than 4 bytes, nesting deeper than 8.
std::optional<TlvError> parse_tlv(std::span<const std::uint8_t> bytes, std::vector<Tlv>& out);
std::vector<std::uint8_t> serialize_tlv(const std::vector<Tlv>& objects);

}  // namespace paygate::protocol::iso8583
