// ISO 8583 message specifications as data (after moov-io/iso8583's declarative specs): a
// processor's dialect is configuration, not code. config/ loads these from YAML.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace paygate::protocol::iso8583 {

// How a field's content is written on the wire.
enum class Encoding {
  ascii,   // one byte per character
  ebcdic,  // one byte per character, IBM code page 037
  bcd,     // two digits per byte (packed decimal), left-padded with 0 to whole bytes
  binary,  // raw bytes
};

// Which characters a field may hold (ISO 8583 attribute codes).
enum class FieldType {
  n,    // digits
  an,   // letters and digits
  ans,  // letters, digits and special characters (printable ASCII, space included)
  z,    // track 2/3 code set: digits and the separators = and D, (ASCII: also ?, ;)
  b,    // binary
};

enum class LengthKind { fixed, llvar, lllvar, llllvar };

struct FieldSpec {
  int number = 0;
  std::string description;
  FieldType type = FieldType::ans;
  LengthKind length_kind = LengthKind::fixed;
  std::size_t length = 0;             // fixed: exact length; variable: maximum length
  Encoding encoding = Encoding::ascii;         // of the content
  Encoding length_encoding = Encoding::ascii;  // of an LL/LLL/LLLL prefix (ascii, ebcdic, bcd, binary)
  bool emv_tlv = false;               // content is BER-TLV (field 55): parsed and kept byte-exact
  // Length units: characters for n/an/ans/z, bytes for b.
};

enum class BitmapEncoding { binary, hex };  // 8 raw bytes, or 16 hex characters

struct MessageSpec {
  std::string name;
  Encoding mti_encoding = Encoding::ascii;  // ascii or bcd (2 bytes) or ebcdic
  BitmapEncoding bitmap = BitmapEncoding::hex;
  Encoding bitmap_text_encoding = Encoding::ascii;  // for hex bitmaps: ascii or ebcdic
  bool always_secondary = false;  // some peers always send (and expect) the secondary bitmap
  std::array<std::optional<FieldSpec>, 129> fields;  // 2..128 (1 is the secondary bitmap)
  std::map<std::string, std::vector<int>> required;  // MTI -> fields it must carry
};

// Field numbers whose content is sensitive and masked by the log printer.
inline constexpr std::array<int, 7> sensitive_fields{2, 14, 35, 36, 45, 52, 55};

}  // namespace paygate::protocol::iso8583
