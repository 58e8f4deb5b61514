#include "gateway/problem.h"

#include <fmt/format.h>

namespace paygate::gateway {

std::string problem_body(const Problem& p, std::string_view request_id) {
  // Every member is a constant of ours or a request id we generated (hex): no escaping
  // is needed and no request content can reach the body.
  return fmt::format(
      R"({{"type":"urn:paygate:problem:{}","title":"{}","status":{},"detail":"{}","request_id":"{}"}})",
      p.slug, p.title, p.status, p.detail, request_id);
}

}  // namespace paygate::gateway
