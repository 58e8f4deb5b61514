// RFC 9457 problem details (application/problem+json) for every error paygate answers.
// A problem names what went wrong and carries the request id; it never echoes any part
// of the request.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace paygate::gateway {

struct Problem {
  unsigned status;
  std::string_view slug;   // becomes the type URI "urn:paygate:problem:<slug>"
  std::string_view title;
  std::string_view detail;
};

namespace problems {
inline constexpr Problem invalid_message_rules{400, "invalid-message", "Bad Request",
                                               "The message breaks the API's rules:"};
inline constexpr Problem malformed_request{400, "malformed-request", "Bad Request",
                                           "The request is not well-formed HTTP/1.1."};
inline constexpr Problem unauthenticated{401, "unauthenticated", "Unauthorized",
                                         "No valid client certificate or API key identifies a merchant."};
inline constexpr Problem payment_blocked{402, "payment-blocked", "Payment Required",
                                         "Fraud screening blocked this payment:"};
inline constexpr Problem route_not_allowed{403, "route-not-allowed", "Forbidden",
                                           "This merchant may not use this route."};
inline constexpr Problem route_not_found{404, "route-not-found", "Not Found",
                                         "No route matches this path."};
inline constexpr Problem transaction_not_found{404, "transaction-not-found", "Not Found",
                                               "No transaction with this processor_transaction_id was authorized for "
                                               "this merchant."};
inline constexpr Problem method_not_allowed{405, "method-not-allowed", "Method Not Allowed",
                                            "This path does not accept this method."};
inline constexpr Problem not_acceptable{406, "not-acceptable", "Not Acceptable",
                                        "The answer is application/json; the Accept header excludes it."};
inline constexpr Problem unsupported_media_type{415, "unsupported-media-type", "Unsupported Media Type",
                                                "The body must be application/json (charset utf-8, if given)."};
inline constexpr Problem idempotency_in_flight{409, "idempotency-in-flight", "Conflict",
                                               "A request with this Idempotency-Key is still being processed; retry "
                                               "after it finished."};
inline constexpr Problem idempotency_key_reused{422, "idempotency-key-reused", "Unprocessable Content",
                                                "This Idempotency-Key was used for a request with different "
                                                "parameters; use a new key for a new payment."};
inline constexpr Problem body_too_large{413, "body-too-large", "Content Too Large",
                                        "The request body exceeds this listener's limit."};
inline constexpr Problem header_too_large{431, "header-too-large",
                                          "Request Header Fields Too Large",
                                          "The request header exceeds this listener's limit."};
inline constexpr Problem processor_unreachable{502, "processor-unreachable", "Bad Gateway",
                                               "The payment processor could not be reached."};
inline constexpr Problem processor_failed{502, "processor-failed", "Bad Gateway",
                                          "The payment processor closed the connection or "
                                          "answered with something that is not a valid answer."};
inline constexpr Problem processor_unavailable{503, "processor-unavailable", "Service Unavailable",
                                               "The payment processor keeps failing; paygate is not sending it "
                                               "requests for a short while."};
inline constexpr Problem processor_busy{503, "processor-busy", "Service Unavailable",
                                        "All connections to the payment processor are busy."};
inline constexpr Problem service_busy{503, "service-busy", "Service Unavailable",
                                     "paygate cannot take more work right now (tokens, vault or crypto); try again later."};
inline constexpr Problem audit_unavailable{503, "audit-unavailable", "Service Unavailable",
                                           "The audit log cannot take this request's record; try again later."};
inline constexpr Problem processor_timeout{504, "processor-timeout", "Gateway Timeout",
                                           "The payment processor did not answer in time."};
}  // namespace problems

// The JSON body for `problem`, with `request_id` as an extension member.
std::string problem_body(const Problem& problem, std::string_view request_id);

// One entry of an `errors` list: where (a validation issue path, or header:NAME) and
// which rule, never the value.
struct ProblemEntry {
  std::string_view path;
  std::string_view code;
};

// As problem_body, with an `errors` list of {pointer | header, code, message} and a
// detail that ends with how many there are.
std::string problem_body(const Problem& problem, std::string_view request_id, std::span<const ProblemEntry> errors);

}  // namespace paygate::gateway
