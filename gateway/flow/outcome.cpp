#include "gateway/flow/outcome.h"

namespace paygate::gateway {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::answered:
      return "answered";
    case Outcome::route_not_found:
      return "route_not_found";
    case Outcome::method_not_allowed:
      return "method_not_allowed";
    case Outcome::unauthenticated:
      return "unauthenticated";
    case Outcome::route_not_allowed:
      return "route_not_allowed";
    case Outcome::invalid_message:
      return "invalid_message";
    case Outcome::card_refused:
      return "card_refused";
    case Outcome::blocked:
      return "blocked";
    case Outcome::audit_unavailable:
      return "audit_unavailable";
    case Outcome::service_busy:
      return "service_busy";
    case Outcome::processor_busy:
      return "processor_busy";
    case Outcome::processor_unavailable:
      return "processor_unavailable";
    case Outcome::processor_timeout:
      return "processor_timeout";
    case Outcome::processor_unreachable:
      return "processor_unreachable";
    case Outcome::processor_failed:
      return "processor_failed";
    case Outcome::answer_refused:
      return "answer_refused";
    case Outcome::duplicate:
      return "duplicate";
    case Outcome::unsupported_media_type:
      return "unsupported_media_type";
    case Outcome::not_acceptable:
      return "not_acceptable";
    case Outcome::replayed:
      return "replayed";
    case Outcome::idempotency_in_flight:
      return "idempotency_in_flight";
    case Outcome::idempotency_key_reused:
      return "idempotency_key_reused";
    case Outcome::transaction_not_found:
      return "transaction_not_found";
  }
  return "unknown";
}

}  // namespace paygate::gateway
