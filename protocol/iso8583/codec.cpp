#include "protocol/iso8583/codec.h"

#include <algorithm>
#include <array>

#include "protocol/iso8583/tlv.h"

namespace paygate::protocol::iso8583 {
namespace {

// IBM code page 037 for printable ASCII (0x20..0x7E); other bytes do not occur in text fields.
constexpr std::array<std::uint8_t, 95> ebcdic_of_printable = {
    0x40, 0x5A, 0x7F, 0x7B, 0x5B, 0x6C, 0x50, 0x7D, 0x4D, 0x5D, 0x5C, 0x4E, 0x6B, 0x60, 0x4B,
    0x61,  // ' '..'/'
    0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x5E, 0x4C, 0x7E, 0x6E,
    0x6F,  // '0'..'?'
    0x7C, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5,
    0xD6,  // '@'..'O'
    0xD7, 0xD8, 0xD9, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xBA, 0xE0, 0xBB, 0xB0,
    0x6D,  // 'P'..'_'
    0x79, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x91, 0x92, 0x93, 0x94, 0x95,
    0x96,                                                                                      // '`'..'o'
    0x97, 0x98, 0x99, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xC0, 0x4F, 0xD0, 0xA1,  // 'p'..'~'
};

constexpr std::array<std::int16_t, 256> ascii_of_ebcdic = [] {
  std::array<std::int16_t, 256> table{};
  for (auto& v : table) v = -1;
  for (std::size_t i = 0; i < ebcdic_of_printable.size(); ++i)
    table[ebcdic_of_printable[i]] = static_cast<std::int16_t>(0x20 + i);
  return table;
}();

// A bounds-checked reader: every read states its size first.
class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool take(std::size_t n, std::span<const std::uint8_t>& out) {
    if (n > bytes_.size() - offset_) return false;
    out = bytes_.subspan(offset_, n);
    offset_ += n;
    return true;
  }
  std::size_t remaining() const { return bytes_.size() - offset_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t offset_ = 0;
};

CodecError error(CodecErrorCode code, int field, std::string reason) {
  return CodecError{code, field, std::move(reason)};
}

std::size_t prefix_digits(LengthKind kind) {
  switch (kind) {
    case LengthKind::llvar:
      return 2;
    case LengthKind::lllvar:
      return 3;
    case LengthKind::llllvar:
      return 4;
    case LengthKind::fixed:
      return 0;
  }
  return 0;
}

// Bytes that `chars` characters (or nibbles) take in `encoding`.
std::size_t encoded_size(Encoding encoding, std::size_t chars) {
  return encoding == Encoding::bcd ? (chars + 1) / 2 : chars;
}

// Which bytes each field type allows, as one table lookup per character (no locale).
struct CharClasses {
  std::array<std::array<bool, 256>, 5> allowed{};
  constexpr CharClasses() {
    for (int c = 0; c < 256; ++c) {
      const bool digit = c >= '0' && c <= '9';
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      allowed[static_cast<int>(FieldType::n)][static_cast<std::size_t>(c)] = digit;
      allowed[static_cast<int>(FieldType::an)][static_cast<std::size_t>(c)] = digit || alpha || c == ' ';
      allowed[static_cast<int>(FieldType::ans)][static_cast<std::size_t>(c)] = c >= 0x20 && c <= 0x7e;
      allowed[static_cast<int>(FieldType::z)][static_cast<std::size_t>(c)] =
          digit || c == '=' || c == 'D' || c == 'd';
      allowed[static_cast<int>(FieldType::b)][static_cast<std::size_t>(c)] = true;
    }
  }
};
constexpr CharClasses char_classes;

bool text_allowed(FieldType type, std::string_view text) {
  const auto& table = char_classes.allowed[static_cast<std::size_t>(type)];
  for (char c : text) {
    if (!table[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

// Decodes `bytes` holding `chars` characters in `encoding` into text (or raw bytes).
bool decode_text(Encoding encoding, std::span<const std::uint8_t> bytes, std::size_t chars,
                 std::string& out) {
  out.clear();
  switch (encoding) {
    case Encoding::ascii:
    case Encoding::binary:
      out.assign(bytes.begin(), bytes.end());
      return true;
    case Encoding::ebcdic:
      for (std::uint8_t b : bytes) {
        const int a = ascii_of_ebcdic[b];
        if (a < 0) return false;
        out.push_back(static_cast<char>(a));
      }
      return true;
    case Encoding::bcd: {
      // Odd counts are padded with one leading zero nibble.
      const std::size_t nibbles = bytes.size() * 2;
      for (std::size_t i = nibbles - chars; i < nibbles; ++i) {
        const std::uint8_t nibble = (i % 2 == 0) ? bytes[i / 2] >> 4 : bytes[i / 2] & 0x0f;
        if (nibble <= 9)
          out.push_back(static_cast<char>('0' + nibble));
        else if (nibble == 0x0d)
          out.push_back('D');  // track 2 separator
        else
          return false;
      }
      if (nibbles != chars && (bytes[0] >> 4) != 0) return false;  // the pad nibble must be 0
      return true;
    }
  }
  return false;
}

bool encode_text(Encoding encoding, std::string_view text, std::vector<std::uint8_t>& out) {
  switch (encoding) {
    case Encoding::ascii:
    case Encoding::binary:
      out.insert(out.end(), text.begin(), text.end());
      return true;
    case Encoding::ebcdic:
      for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e) return false;
        out.push_back(ebcdic_of_printable[u - 0x20]);
      }
      return true;
    case Encoding::bcd: {
      std::size_t i = 0;
      std::uint8_t high = 0;
      bool have_high = text.size() % 2 == 1;  // odd: a leading zero pad nibble
      for (; i < text.size(); ++i) {
        const char c = text[i];
        std::uint8_t nibble;
        if (c >= '0' && c <= '9')
          nibble = static_cast<std::uint8_t>(c - '0');
        else if (c == 'D' || c == 'd' || c == '=')
          nibble = 0x0d;
        else
          return false;
        if (have_high) {
          out.push_back(static_cast<std::uint8_t>(high << 4 | nibble));
          have_high = false;
        } else {
          high = nibble;
          have_high = true;
        }
      }
      return true;
    }
  }
  return false;
}

bool read_number(Encoding encoding, std::span<const std::uint8_t> bytes, std::size_t digits,
                 std::size_t& value) {
  value = 0;
  if (encoding == Encoding::binary) {
    for (std::uint8_t b : bytes) value = value << 8 | b;
    return true;
  }
  std::string text;
  if (!decode_text(encoding, bytes, digits, text)) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return true;
}

std::size_t prefix_bytes(Encoding encoding, std::size_t digits) {
  if (encoding == Encoding::binary) return digits <= 2 ? 1 : 2;
  return encoded_size(encoding, digits);
}

void write_number(Encoding encoding, std::size_t value, std::size_t digits, std::vector<std::uint8_t>& out) {
  if (encoding == Encoding::binary) {
    if (digits > 2) out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
    return;
  }
  char text[4];
  for (std::size_t i = digits; i-- > 0; value /= 10) text[i] = static_cast<char>('0' + value % 10);
  encode_text(encoding, std::string_view(text, digits), out);
}

bool read_bitmap(const MessageSpec& spec, Cursor& cursor, std::array<std::uint8_t, 8>& bitmap) {
  std::span<const std::uint8_t> raw;
  if (spec.bitmap == BitmapEncoding::binary) {
    if (!cursor.take(8, raw)) return false;
    std::copy(raw.begin(), raw.end(), bitmap.begin());
    return true;
  }
  if (!cursor.take(16, raw)) return false;
  std::string hex;
  if (!decode_text(spec.bitmap_text_encoding, raw, 16, hex)) return false;
  for (std::size_t i = 0; i < 8; ++i) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    bitmap[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

void write_bitmap(const MessageSpec& spec, const std::array<std::uint8_t, 8>& bitmap,
                  std::vector<std::uint8_t>& out) {
  if (spec.bitmap == BitmapEncoding::binary) {
    out.insert(out.end(), bitmap.begin(), bitmap.end());
    return;
  }
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string hex;
  for (std::uint8_t b : bitmap) {
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 15]);
  }
  encode_text(spec.bitmap_text_encoding, hex, out);
}

bool bit_set(const std::array<std::uint8_t, 8>& bitmap, int bit) {  // bit 1..64
  return (bitmap[static_cast<std::size_t>((bit - 1) / 8)] >> (7 - (bit - 1) % 8)) & 1;
}

void set_bit(std::array<std::uint8_t, 8>& bitmap, int bit) {
  bitmap[static_cast<std::size_t>((bit - 1) / 8)] |= static_cast<std::uint8_t>(1 << (7 - (bit - 1) % 8));
}

std::optional<CodecError> unpack_field(const FieldSpec& f, Cursor& cursor, std::string& value) {
  std::size_t length = f.length;
  const std::size_t digits = prefix_digits(f.length_kind);
  if (digits > 0) {
    std::span<const std::uint8_t> raw;
    if (!cursor.take(prefix_bytes(f.length_encoding, digits), raw)) {
      return error(CodecErrorCode::truncated, f.number, "message ends inside the length prefix");
    }
    if (!read_number(f.length_encoding, raw, digits, length)) {
      return error(CodecErrorCode::bad_length, f.number, "length prefix is not a number");
    }
    if (length > f.length) {
      return error(CodecErrorCode::bad_length, f.number,
                   "length " + std::to_string(length) + " exceeds the maximum " + std::to_string(f.length));
    }
  }
  std::span<const std::uint8_t> raw;
  if (!cursor.take(encoded_size(f.encoding, length), raw)) {
    return error(CodecErrorCode::truncated, f.number, "message ends inside the field");
  }
  if (!decode_text(f.encoding, raw, length, value)) {
    return error(CodecErrorCode::bad_encoding, f.number, "content is not valid for its encoding");
  }
  if (!text_allowed(f.type, value)) {
    return error(CodecErrorCode::bad_encoding, f.number, "content has characters its type does not allow");
  }
  if (f.emv_tlv) {
    std::vector<Tlv> objects;
    if (auto e = parse_tlv(std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()),
                           objects)) {
      return error(CodecErrorCode::bad_encoding, f.number, "EMV data is not valid BER-TLV: " + e->reason);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string CodecError::to_string() const {
  static constexpr const char* names[] = {"truncated",  "bad_mti",      "bad_bitmap",     "unknown_field",
                                          "bad_length", "bad_encoding", "trailing_bytes", "missing_field"};
  return std::string(names[static_cast<int>(code)]) + " (field " + std::to_string(field) + "): " + reason;
}

CodecResult<Message> unpack(const MessageSpec& spec, std::span<const std::uint8_t> bytes) {
  CodecResult<Message> result;
  Cursor cursor(bytes);
  std::span<const std::uint8_t> raw;
  if (!cursor.take(encoded_size(spec.mti_encoding, 4), raw)) {
    result.error = error(CodecErrorCode::truncated, 0, "message ends inside the MTI");
    return result;
  }
  if (!decode_text(spec.mti_encoding, raw, 4, result.value.mti) ||
      !std::all_of(result.value.mti.begin(), result.value.mti.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    result.error = error(CodecErrorCode::bad_mti, 0, "MTI is not four digits");
    return result;
  }
  std::array<std::uint8_t, 8> primary{}, secondary{};
  if (!read_bitmap(spec, cursor, primary)) {
    result.error = error(cursor.remaining() == 0 ? CodecErrorCode::truncated : CodecErrorCode::bad_bitmap, 1,
                         "primary bitmap is missing or not hex");
    return result;
  }
  const bool has_secondary = bit_set(primary, 1);
  if (has_secondary && !read_bitmap(spec, cursor, secondary)) {
    result.error = error(CodecErrorCode::bad_bitmap, 1, "secondary bitmap is missing or not hex");
    return result;
  }
  for (int field = 2; field <= 128; ++field) {
    const bool present =
        field <= 64 ? bit_set(primary, field) : has_secondary && bit_set(secondary, field - 64);
    if (!present) continue;
    const auto& f = spec.fields[static_cast<std::size_t>(field)];
    if (!f) {
      result.error =
          error(CodecErrorCode::unknown_field, field, "the bitmap names a field the spec does not define");
      return result;
    }
    std::string value;
    if (auto e = unpack_field(*f, cursor, value)) {
      result.error = e;
      return result;
    }
    result.value.fields.emplace_hint(result.value.fields.end(), field,
                                     std::move(value));  // fields arrive in order
  }
  if (cursor.remaining() != 0) {
    result.error = error(CodecErrorCode::trailing_bytes, 0,
                         std::to_string(cursor.remaining()) + " bytes after the last field");
  }
  return result;
}

CodecResult<std::vector<std::uint8_t>> pack(const MessageSpec& spec, const Message& message) {
  CodecResult<std::vector<std::uint8_t>> result;
  auto& out = result.value;
  std::size_t estimate = 4 + 32;
  for (const auto& [field, value] : message.fields) estimate += value.size() + 4;
  out.reserve(estimate);
  if (message.mti.size() != 4 ||
      !std::all_of(message.mti.begin(), message.mti.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    result.error = error(CodecErrorCode::bad_mti, 0, "MTI is not four digits");
    return result;
  }
  encode_text(spec.mti_encoding, message.mti, out);
  std::array<std::uint8_t, 8> primary{}, secondary{};
  bool has_secondary = false;
  for (const auto& [field, value] : message.fields) {
    if (field < 2 || field > 128 || !spec.fields[static_cast<std::size_t>(field)]) {
      result.error = error(CodecErrorCode::unknown_field, field, "the spec does not define this field");
      return result;
    }
    if (field > 64) {
      has_secondary = true;
      set_bit(secondary, field - 64);
    } else {
      set_bit(primary, field);
    }
  }
  has_secondary = has_secondary || spec.always_secondary;
  if (has_secondary) set_bit(primary, 1);
  write_bitmap(spec, primary, out);
  if (has_secondary) write_bitmap(spec, secondary, out);
  for (const auto& [field, value] : message.fields) {
    const FieldSpec& f = *spec.fields[static_cast<std::size_t>(field)];
    const bool fixed = f.length_kind == LengthKind::fixed;
    if ((fixed && value.size() != f.length) || value.size() > f.length) {
      result.error = error(CodecErrorCode::bad_length, field,
                           "length " + std::to_string(value.size()) + (fixed ? " is not " : " exceeds ") +
                               std::to_string(f.length));
      return result;
    }
    if (!text_allowed(f.type, value)) {
      result.error =
          error(CodecErrorCode::bad_encoding, field, "content has characters its type does not allow");
      return result;
    }
    if (!fixed) write_number(f.length_encoding, value.size(), prefix_digits(f.length_kind), out);
    if (!encode_text(f.encoding, value, out)) {
      result.error = error(CodecErrorCode::bad_encoding, field, "content cannot be written in its encoding");
      return result;
    }
  }
  return result;
}

std::vector<int> missing_required(const MessageSpec& spec, const Message& message) {
  std::vector<int> missing;
  auto it = spec.required.find(message.mti);
  if (it == spec.required.end()) return missing;
  for (int field : it->second) {
    if (!message.has(field)) missing.push_back(field);
  }
  return missing;
}

}  // namespace paygate::protocol::iso8583
