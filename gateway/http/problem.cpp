#include "gateway/http/problem.h"

#include <fmt/format.h>

namespace paygate::gateway {

std::string problem_body(const Problem& p, std::string_view request_id) {
  // Every member is a constant of ours or a request id we generated (hex): no escaping
  // is needed and no request content can reach the body.
  return fmt::format(
      R"({{"type":"urn:paygate:problem:{}","title":"{}","status":{},"detail":"{}","request_id":"{}"}})",
      p.slug, p.title, p.status, p.detail, request_id);
}

namespace {

// Paths hold member names a merchant chose (only plain identifiers are ever named, see
// protocol/payment/validation.cpp); escape anyway so the body is always valid JSON.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  out += '"';
}

}  // namespace

std::string problem_body(const Problem& problem, std::string_view request_id, std::span<const ProblemEntry> errors) {
  std::string body = problem_body(problem, request_id);
  body.pop_back();  // the closing brace
  body += ",\"errors\":[";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i) body += ',';
    body += "{\"path\":";
    append_json_string(body, errors[i].path);
    body += ",\"code\":";
    append_json_string(body, errors[i].code);
    body += '}';
  }
  return body + "]}";
}

}  // namespace paygate::gateway
