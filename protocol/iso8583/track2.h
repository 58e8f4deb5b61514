// Track 2 equivalent data (DE 35): the PAN, a separator ('=' or 'D'), then expiry,
// service code and discretionary data; some dialects frame it with ';' ... '?'. Split so
// that the PAN alone can be tokenized and the rest kept byte for byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace paygate::protocol::iso8583 {

struct Track2 {
  std::string prefix;  // ";" or ""
  std::string pan;     // 12..19 characters before the separator
  std::string rest;    // from the separator on
};

// nullopt when there is no separator 12..19 characters in (never a partial PAN).
std::optional<Track2> split_track2(std::string_view text);

// prefix + pan + rest.
std::string join_track2(const Track2& track);

}  // namespace paygate::protocol::iso8583
