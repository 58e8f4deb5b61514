#include "gateway/http/problem.h"

#include <fmt/format.h>

#include "protocol/payment/issue_text.h"
#include "protocol/payment/validation.h"

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
  // The detail says how many problems the list holds.
  const std::string detail = fmt::format("{} {} problem{} in errors.", problem.detail, errors.size(),
                                         errors.size() == 1 ? "" : "s");
  std::string body = fmt::format(R"({{"type":"urn:paygate:problem:{}","title":"{}","status":{},"detail":"{}",)"
                                 R"("request_id":"{}","errors":[)",
                                 problem.slug, problem.title, problem.status, detail, request_id);
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
