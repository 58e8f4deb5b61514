// RESP2, the Redis wire protocol, as pure functions over bytes: a command encoded as an
// array of bulk strings (arguments are never formatted into a command line, so a value
// cannot inject a second command), and a reply parsed from what has arrived so far.
//
// Errors: a reply that breaks the protocol, or exceeds the limits below (a Redis that
// answers garbage, or something that is not Redis), is `malformed`, never a crash or an
// unbounded allocation. Thread-safety: none needed (no state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace paygate::fraud::resp {

// What paygate accepts from Redis: its script answers are small arrays of integers.
inline constexpr std::size_t max_bulk_bytes = 1 << 20;
inline constexpr std::size_t max_array_elements = 4096;
inline constexpr int max_depth = 4;

struct Reply {
  enum class Type { simple, error, integer, bulk, nil, array };
  Type type = Type::nil;
  std::string text;        // simple, error, bulk
  std::int64_t integer = 0;
  std::vector<Reply> elements;  // array
};

// Appends `*N\r\n$len\r\narg\r\n…` to `out`.
void encode_command(std::span<const std::string_view> args, std::string& out);

enum class ParseStatus { complete, incomplete, malformed };

// Parses one reply from the front of `input`. On `complete`, `reply` holds it and
// `consumed` the bytes it took; on `incomplete`, read more and call again.
ParseStatus parse_reply(std::string_view input, Reply& reply, std::size_t& consumed);

}  // namespace paygate::fraud::resp
