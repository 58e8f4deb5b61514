// Packing and unpacking ISO 8583 messages by a MessageSpec. Every read goes through one
// bounds check (a cursor, as BoringSSL's CBS does); errors name the field and the reason,
// never the bytes. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/iso8583/message.h"
#include "protocol/iso8583/spec.h"

namespace paygate::protocol::iso8583 {

enum class CodecErrorCode {
  truncated,          // the message ends inside the MTI, a bitmap, a length or a field
  bad_mti,
  bad_bitmap,         // not hex, or bit 1 set where there is no room for a second bitmap
  unknown_field,      // the bitmap names a field the spec does not define
  bad_length,         // a length prefix that is not a number or exceeds the field's maximum
  bad_encoding,       // bad BCD nibble, or characters outside the field's type
  trailing_bytes,     // bytes after the last field
  missing_field,      // (pack) required by the MTI
};

struct CodecError {
  CodecErrorCode code;
  int field = 0;  // 0 for the MTI, 1 for bitmaps
  std::string reason;

  std::string to_string() const;
};

template <class T>
struct CodecResult {
  T value{};
  std::optional<CodecError> error;
  bool ok() const { return !error.has_value(); }
};

CodecResult<Message> unpack(const MessageSpec& spec, std::span<const std::uint8_t> bytes);
CodecResult<std::vector<std::uint8_t>> pack(const MessageSpec& spec, const Message& message);

// The fields the spec requires for this message's MTI that it lacks (empty: none).
std::vector<int> missing_required(const MessageSpec& spec, const Message& message);

}  // namespace paygate::protocol::iso8583
