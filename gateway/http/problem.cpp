#include "gateway/http/problem.h"

#include <fmt/format.h>

#include "protocol/payment/issue_text.h"
#include "protocol/payment/validation.h"

namespace paygate::gateway {

namespace {

// The members every problem has, without the closing brace. Each is a constant of ours, a
// count, or a request id (ours, or a caller's of A-Z a-z 0-9 . _ - only): no escaping is
// needed and no other request content can reach the body.
std::string problem_members(const Problem& p, std::string_view detail, std::string_view request_id) {
  return fmt::format(R"({{"type":"urn:paygate:problem:{}","title":"{}","status":{},"detail":"{}","request_id":"{}")",
                     p.slug, p.title, p.status, detail, request_id);
}

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

std::string problem_body(const Problem& p, std::string_view request_id) {
  return problem_members(p, p.detail, request_id) + "}";
}

std::string problem_body(const Problem& problem, std::string_view request_id, std::span<const ProblemEntry> errors) {
  // The detail says how many problems the list holds.
  const std::string detail = fmt::format("{} {} problem{} in errors.", problem.detail, errors.size(),
                                         errors.size() == 1 ? "" : "s");
  std::string body = problem_members(problem, detail, request_id) + R"(,"errors":[)";
  const bool blocked = problem.slug == problems::payment_blocked.slug;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i) body += ',';
    // A header's issue names the header; a message's, its member as a JSON Pointer.
    const std::string_view path = errors[i].path;
    if (path.starts_with(protocol::header_issue_prefix)) {
      body += "{\"header\":";
      append_json_string(body, path.substr(protocol::header_issue_prefix.size()));
    } else {
      body += "{\"pointer\":";
      append_json_string(body, protocol::json_pointer(path));
    }
    body += ",\"code\":";
    append_json_string(body, errors[i].code);
    body += ",\"message\":";
    append_json_string(body, blocked ? std::string_view("The fraud rule (or score) that blocked this payment.")
                                     : protocol::issue_message(errors[i].code));
    body += '}';
  }
  return body + "]}";
}

}  // namespace paygate::gateway
