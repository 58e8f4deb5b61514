#include "protocol/iso8583/codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

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
  // Where `part` (a span this cursor returned) starts in the whole message.
  std::size_t offset_of(std::span<const std::uint8_t> part) const {
    return static_cast<std::size_t>(part.data() - bytes_.data());
  }

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

// Character checks eight bytes at a time (SWAR). For a byte b < 0x80, b + (0x80 - lo)
// sets the byte's top bit exactly when b >= lo, and b + (0x7f - hi) exactly when b > hi;
// no carry crosses into the next byte. So the top bit of each byte of inside<lo, hi>(x)
// says whether that byte lies in lo..hi (bytes >= 0x80 are refused separately).
template <unsigned char lo, unsigned char hi>
std::uint64_t inside(std::uint64_t x) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  return (x + ones * (0x80u - lo)) & ~(x + ones * (0x7fu - hi));
}

// True when every byte of `text` is inside one of the ranges `inside_any` tests. Words
// overlap rather than loop over a tail: the last word ends at the last byte; 4..7 bytes
// are two overlapping 4-byte loads; 1..3 bytes are the first, middle and last byte,
// repeated to fill the word.
template <class InsideAny>
bool all_inside(std::string_view text, InsideAny inside_any) {
  constexpr std::uint64_t tops = 0x8080808080808080ULL;
  const auto outside = [&](std::uint64_t x) { return (x | ~inside_any(x)) & tops; };
  const char* p = text.data();
  const std::size_t n = text.size();
  if (n >= 8) {
    std::uint64_t bad = 0, x;
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&x, p + i, 8);
      bad |= outside(x);
    }
    std::memcpy(&x, p + n - 8, 8);
    return (bad | outside(x)) == 0;
  }
  if (n >= 4) {
    std::uint32_t head, tail;
    std::memcpy(&head, p, 4);
    std::memcpy(&tail, p + n - 4, 4);
    return outside(std::uint64_t{head} | std::uint64_t{tail} << 32) == 0;
  }
  if (n == 0) return true;
  const std::uint64_t three = static_cast<unsigned char>(p[0]) | static_cast<unsigned>(static_cast<unsigned char>(p[n / 2])) << 8 |
                              static_cast<unsigned>(static_cast<unsigned char>(p[n - 1])) << 16;
  return outside(three | three << 24 | three << 48) == 0;  // bytes 0-2, 3-5, and 6-7 repeat 0-1
}

bool text_allowed(FieldType type, std::string_view text) {
  switch (type) {
    case FieldType::b:
      return true;
    case FieldType::n:
      return all_inside(text, inside<'0', '9'>);
    case FieldType::ans:
      return all_inside(text, inside<0x20, 0x7e>);
    case FieldType::an:
      return all_inside(text, [](std::uint64_t x) {
        return inside<'0', '9'>(x) | inside<'A', 'Z'>(x) | inside<'a', 'z'>(x) | inside<' ', ' '>(x);
      });
    case FieldType::z:
      return all_inside(text, [](std::uint64_t x) {
        return inside<'0', '9'>(x) | inside<'=', '='>(x) | inside<'D', 'D'>(x) | inside<'d', 'd'>(x);
      });
  }
  return false;
}

// Decodes `bytes` holding `chars` characters in `encoding` into text (or raw bytes),
// appended to `out`.
bool decode_text(Encoding encoding, std::span<const std::uint8_t> bytes, std::size_t chars,
                 std::string& out) {
  switch (encoding) {
    case Encoding::ascii:
    case Encoding::binary:
      // (append(first, last) with byte iterators would build a temporary string first.)
      out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
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

// Where pack() writes: a pointer into an output buffer sized up front for the worst case,
// so no write checks capacity.
struct Sink {
  std::uint8_t* p;
  void put(std::uint8_t b) { *p++ = b; }
};

bool encode_text(Encoding encoding, std::string_view text, Sink& out) {
  switch (encoding) {
    case Encoding::ascii:
    case Encoding::binary:
      if (!text.empty()) std::memcpy(out.p, text.data(), text.size());
      out.p += text.size();
      return true;
    case Encoding::ebcdic:
      for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e) return false;
        out.put(ebcdic_of_printable[u - 0x20]);
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
          out.put(static_cast<std::uint8_t>(high << 4 | nibble));
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
  if (encoding == Encoding::ascii) {  // the common case, without a decode step
    for (std::uint8_t c : bytes) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<std::size_t>(c - '0');
    }
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

void write_number(Encoding encoding, std::size_t value, std::size_t digits, Sink& out) {
  if (encoding == Encoding::binary) {
    if (digits > 2) out.put(static_cast<std::uint8_t>(value >> 8));
    out.put(static_cast<std::uint8_t>(value));
    return;
  }
  char text[4];
  for (std::size_t i = digits; i-- > 0; value /= 10) text[i] = static_cast<char>('0' + value % 10);
  if (encoding == Encoding::ascii) {
    std::memcpy(out.p, text, digits);
    out.p += digits;
    return;
  }
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

void write_bitmap(const MessageSpec& spec, const std::array<std::uint8_t, 8>& bitmap, Sink& out) {
  if (spec.bitmap == BitmapEncoding::binary) {
    std::memcpy(out.p, bitmap.data(), bitmap.size());
    out.p += bitmap.size();
    return;
  }
  static constexpr char digits[] = "0123456789ABCDEF";
  char hex[16];
  for (std::size_t i = 0; i < 8; ++i) {
    hex[2 * i] = digits[bitmap[i] >> 4];
    hex[2 * i + 1] = digits[bitmap[i] & 15];
  }
  encode_text(spec.bitmap_text_encoding, std::string_view(hex, 16), out);
}

bool bit_set(const std::array<std::uint8_t, 8>& bitmap, int bit) {  // bit 1..64
  return (bitmap[static_cast<std::size_t>((bit - 1) / 8)] >> (7 - (bit - 1) % 8)) & 1;
}

std::uint8_t reverse_bits(std::uint8_t b) {
  b = static_cast<std::uint8_t>((b & 0xF0) >> 4 | (b & 0x0F) << 4);
  b = static_cast<std::uint8_t>((b & 0xCC) >> 2 | (b & 0x33) << 2);
  return static_cast<std::uint8_t>((b & 0xAA) >> 1 | (b & 0x55) << 1);
}

// Records an error; kept out of line so the hot paths stay small.
[[gnu::cold, gnu::noinline]] bool fail(std::optional<CodecError>& failure, CodecErrorCode code, int field,
                                       std::string reason) {
  failure = error(code, field, std::move(reason));
  return false;
}

bool valid_emv(std::string_view value, std::string& reason) {
  std::vector<Tlv> objects;
  auto e = parse_tlv(std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()), objects);
  if (e) reason = e->reason;
  return !e;
}

// Reads one field's length prefix and content into `fields` (one append to its buffer).
bool unpack_field(const FieldSpec& f, Cursor& cursor, Fields& fields, std::size_t wire_offset,
                  std::optional<CodecError>& failure) {
  std::size_t length = f.length;
  const std::size_t digits = prefix_digits(f.length_kind);
  if (digits > 0) {
    std::span<const std::uint8_t> raw;
    if (!cursor.take(prefix_bytes(f.length_encoding, digits), raw)) {
      return fail(failure, CodecErrorCode::truncated, f.number, "message ends inside the length prefix");
    }
    if (!read_number(f.length_encoding, raw, digits, length)) {
      return fail(failure, CodecErrorCode::bad_length, f.number, "length prefix is not a number");
    }
    if (length > f.length) {
      return fail(failure, CodecErrorCode::bad_length, f.number,
                  "length " + std::to_string(length) + " exceeds the maximum " + std::to_string(f.length));
    }
  }
  std::span<const std::uint8_t> raw;
  if (!cursor.take(encoded_size(f.encoding, length), raw)) {
    return fail(failure, CodecErrorCode::truncated, f.number, "message ends inside the field");
  }
  const auto check = [&](std::string_view value) {
    if (!text_allowed(f.type, value)) {
      return fail(failure, CodecErrorCode::bad_encoding, f.number,
                  "content has characters its type does not allow");
    }
    std::string reason;
    if (f.emv_tlv && !valid_emv(value, reason)) {
      return fail(failure, CodecErrorCode::bad_encoding, f.number,
                  "EMV data is not valid BER-TLV: " + reason);
    }
    return true;
  };
  if (f.encoding == Encoding::ascii || f.encoding == Encoding::binary) {
    // The bytes are the content: a slice of the message copy that unpack() keeps.
    const std::string_view value(reinterpret_cast<const char*>(raw.data()), raw.size());
    if (!check(value)) return false;
    fields.set_slice(f.number, wire_offset + cursor.offset_of(raw), raw.size());
    return true;
  }
  return fields.set_with(f.number, [&](std::string& buffer) {
    const std::size_t start = buffer.size();
    if (!decode_text(f.encoding, raw, length, buffer)) {
      return fail(failure, CodecErrorCode::bad_encoding, f.number, "content is not valid for its encoding");
    }
    return check(std::string_view(buffer).substr(start));
  });
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
  result.value.mti.clear();
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
  // ASCII and binary fields are slices of one copy of the message; decoded fields (every
  // content byte gives at most two characters, in BCD) go after it: one allocation.
  const std::size_t wire_offset = result.value.fields.keep_wire_copy(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), 2 * bytes.size());
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
  // Visit the set bits only: field 1 + 8i + j is bit 7 - j of bitmap byte i.
  std::array<std::uint8_t, 16> bitmap{};
  std::copy(primary.begin(), primary.end(), bitmap.begin());
  if (has_secondary) std::copy(secondary.begin(), secondary.end(), bitmap.begin() + 8);
  bitmap[0] &= 0x7f;  // bit 1 announces the secondary bitmap, not a field
  for (std::size_t byte = 0; byte < bitmap.size(); ++byte) {
    for (unsigned bits = bitmap[byte]; bits != 0;
         bits &= ~(0x80u >> (std::countl_zero(static_cast<std::uint8_t>(bits))))) {
      const int field = static_cast<int>(8 * byte) + std::countl_zero(static_cast<std::uint8_t>(bits)) + 1;
      const auto& f = spec.fields[static_cast<std::size_t>(field)];
      if (!f) {
        result.error =
            error(CodecErrorCode::unknown_field, field, "the bitmap names a field the spec does not define");
        return result;
      }
      if (!unpack_field(*f, cursor, result.value.fields, wire_offset, result.error)) return result;
    }
  }
  if (cursor.remaining() != 0) {
    result.error = error(CodecErrorCode::trailing_bytes, 0,
                         std::to_string(cursor.remaining()) + " bytes after the last field");
  }
  return result;
}

CodecResult<std::vector<std::uint8_t>> pack(const MessageSpec& spec, const Message& message) {
  CodecResult<std::vector<std::uint8_t>> result;
  // Worst case: MTI 4 bytes, two hex bitmaps 32, per field a 4-byte prefix and one byte
  // per character.
  auto& buffer = result.value;
  buffer.resize(4 + 32 + 4 * message.fields.size() + message.fields.payload_bytes());
  Sink out{buffer.data()};
  if (message.mti.size() != 4 ||
      !std::all_of(message.mti.begin(), message.mti.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    result.error = error(CodecErrorCode::bad_mti, 0, "MTI is not four digits");
    return result;
  }
  encode_text(spec.mti_encoding, message.mti, out);
  // Fields' presence words are the bitmaps (bit k of word w is field 64w + k + 1);
  // the wire puts field 1 + 8i + j at bit 7 - j of byte i.
  const auto& presence = message.fields.presence();
  const bool has_secondary = presence[1] != 0 || spec.always_secondary;
  std::array<std::uint8_t, 8> primary{}, secondary{};
  for (std::size_t i = 0; i < 8; ++i) {
    primary[i] = reverse_bits(static_cast<std::uint8_t>(presence[0] >> (8 * i)));
    secondary[i] = reverse_bits(static_cast<std::uint8_t>(presence[1] >> (8 * i)));
  }
  if (has_secondary) primary[0] |= 0x80;
  write_bitmap(spec, primary, out);
  if (has_secondary) write_bitmap(spec, secondary, out);
  for (const auto& [field, value] : message.fields) {
    const auto& defined = spec.fields[static_cast<std::size_t>(field)];
    if (field < 2 || !defined) {
      result.error = error(CodecErrorCode::unknown_field, field, "the spec does not define this field");
      return result;
    }
    const FieldSpec& f = *defined;
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
  buffer.resize(static_cast<std::size_t>(out.p - buffer.data()));
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
