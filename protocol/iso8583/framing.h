// Frames around ISO 8583 messages on a stream: a length header before each message.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace paygate::protocol::iso8583 {

enum class Framing {
  binary2,  // 2-byte big-endian binary length (max 65535)
  bcd2,     // 2-byte BCD length (max 9999)
  ascii4,   // 4 ASCII digits (max 9999)
};

std::optional<Framing> parse_framing(std::string_view name);  // "binary2", "bcd2", "ascii4"
std::size_t header_size(Framing framing);
std::size_t max_frame(Framing framing);

// The message length a header announces; nullopt for a malformed header (bad BCD nibble,
// non-digit). The caller checks it against its own maximum before reading the body.
std::optional<std::size_t> read_header(Framing framing, std::span<const std::uint8_t> header);
// False when `length` does not fit the framing.
bool write_header(Framing framing, std::size_t length, std::vector<std::uint8_t>& out);

}  // namespace paygate::protocol::iso8583
