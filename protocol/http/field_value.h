// HTTP field values (RFC 9110 §5.5): optional whitespace around them, and tokens that
// compare without regard to ASCII case. Pure, inline; one home for every header paygate
// interprets (media types, forwarding headers, transfer codings).
#pragma once

#include <algorithm>
#include <cctype>
#include <string_view>

namespace paygate::protocol::http {

// Without leading and trailing spaces and tabs (OWS).
inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// ASCII case-insensitive equality (tokens, parameter names, media types).
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace paygate::protocol::http
