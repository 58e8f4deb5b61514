// Decoding JSON from merchants with bounds, before any rule looks at it: size, nesting
// depth, string length, duplicate keys (which parsers resolve differently, so a smuggling
// vector), integer overflow (an amount must never turn into a rounded double) and invalid
// UTF-8. A problem names its path and a reason code, never the value.
#pragma once

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace paygate::protocol {

struct JsonLimits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_depth = 16;
  std::size_t max_string = 4096;  // bytes, keys included
};

struct JsonProblem {
  std::string code;  // invalid_json, too_large, too_deep, string_too_long, duplicate_key, number_overflow
  std::string path;  // "$" or the deepest path reached, e.g. "$.card.number"
};

using JsonDecodeResult = std::variant<boost::json::value, JsonProblem>;

// The value's memory comes from `storage` (default: the heap); a request handler passes a
// per-request arena (boost::json::monotonic_resource) so a message costs a few
// allocations instead of one per string, object and array.
JsonDecodeResult decode_json(std::string_view text, const JsonLimits& limits = {}, boost::json::storage_ptr storage = {});

}  // namespace paygate::protocol
