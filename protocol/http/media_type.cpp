#include "protocol/http/media_type.h"

#include <algorithm>

#include "protocol/http/field_value.h"

namespace paygate::protocol::http {
namespace {

// Splits off the text up to `sep` (or the end) from `rest`.
std::string_view next_part(std::string_view& rest, char sep) {
  const auto at = rest.find(sep);
  const std::string_view part = rest.substr(0, at);
  rest = at == std::string_view::npos ? std::string_view() : rest.substr(at + 1);
  return trim_ows(part);
}

std::string_view unquote(std::string_view v) {
  return v.size() >= 2 && v.front() == '"' && v.back() == '"' ? v.substr(1, v.size() - 2) : v;
}

// q=0, 0.0, 0.00, 0.000: the range is refused (RFC 9110 §12.4.2).
bool q_is_zero(std::string_view q) {
  if (q.empty() || q[0] != '0') return false;
  q.remove_prefix(1);
  if (q.empty()) return true;
  if (q[0] != '.') return false;
  return std::all_of(q.begin() + 1, q.end(), [](char c) { return c == '0'; });
}

}  // namespace

bool is_json_content_type(std::string_view content_type) {
  std::string_view rest = content_type;
  if (!iequals(next_part(rest, ';'), "application/json")) return false;
  while (!rest.empty()) {
    std::string_view parameter = next_part(rest, ';');
    if (parameter.empty()) continue;
    const auto eq = parameter.find('=');
    if (eq == std::string_view::npos) return false;
    if (!iequals(trim_ows(parameter.substr(0, eq)), "charset") || !iequals(unquote(trim_ows(parameter.substr(eq + 1))), "utf-8"))
      return false;
  }
  return true;
}

bool accepts_json(std::string_view accept) {
  if (trim_ows(accept).empty()) return true;
  std::string_view ranges = accept;
  while (!ranges.empty()) {
    std::string_view range = next_part(ranges, ',');
    const std::string_view type = next_part(range, ';');
    if (!iequals(type, "application/json") && !iequals(type, "application/problem+json") &&
        !iequals(type, "application/*") && type != "*/*")
      continue;
    bool refused = false;
    while (!range.empty()) {
      const std::string_view parameter = next_part(range, ';');
      const auto eq = parameter.find('=');
      if (eq != std::string_view::npos && iequals(trim_ows(parameter.substr(0, eq)), "q"))
        refused = q_is_zero(trim_ows(parameter.substr(eq + 1)));
    }
    if (!refused) return true;
  }
  return false;
}

}  // namespace paygate::protocol::http
