// What the payment flow decided about one message, whatever the transport. Each session
// turns it into its wire answer through one table (gateway/http/answers.cpp: HTTP status
// and problem type; gateway/iso/answers.cpp: response MTI and DE 39).
#pragma once

#include <cstddef>
#include <string_view>

namespace paygate::gateway {

enum class Outcome {
  answered,               // the processor answered; its rewritten answer goes back
  route_not_found,        // no route for this path (HTTP) or MTI and processing code (ISO)
  method_not_allowed,     // the path exists for other methods (HTTP only)
  unauthenticated,        // no configured merchant matches the credentials
  route_not_allowed,      // the merchant may not use this route
  invalid_message,        // the message breaks the API's or the spec's rules (issues say which)
  card_refused,           // a card number or token the route's tokens cannot use (issues)
  blocked,                // fraud screening blocked the payment
  audit_unavailable,      // the audit log cannot take records: nothing leaves
  service_busy,           // paygate's own work queue, the vault or the tokens: retry later
  processor_busy,         // every connection to the processor is taken
  processor_unavailable,  // the processor's circuit breaker is open
  processor_timeout,      // the processor did not answer in time
  processor_unreachable,  // the processor could not be reached
  processor_failed,       // the exchange broke (reset, garbage, link dropped)
  answer_refused,         // the processor answered, but paygate will not pass the answer on (issues)
  duplicate,              // the same message is already in flight at the processor (ISO 8583)
  unsupported_media_type, // the body is not in the format the route reads (HTTP: not JSON)
  not_acceptable,         // the caller accepts no format the answer can take (HTTP Accept)
  replayed,               // an idempotent retry: the first request's answer, replayed
  idempotency_in_flight,  // a request with this idempotency key is still running
  idempotency_key_reused, // the idempotency key was used for a different request
  transaction_not_found,  // a follow-up names no transaction authorized for this merchant
};
inline constexpr std::size_t outcome_count = 23;

// Stable lower-case name, for audit records and logs.
std::string_view to_string(Outcome outcome);

}  // namespace paygate::gateway
