#include "gateway/http/answers.h"

namespace paygate::gateway {

const Problem& problem_for(Outcome outcome) {
  switch (outcome) {
    case Outcome::route_not_found:
      return problems::route_not_found;
    case Outcome::method_not_allowed:
      return problems::method_not_allowed;
    case Outcome::unauthenticated:
      return problems::unauthenticated;
    case Outcome::route_not_allowed:
      return problems::route_not_allowed;
    case Outcome::invalid_message:
    case Outcome::card_refused:
      return problems::invalid_message_rules;
    case Outcome::unsupported_media_type:
      return problems::unsupported_media_type;
    case Outcome::not_acceptable:
      return problems::not_acceptable;
    case Outcome::idempotency_in_flight:
      return problems::idempotency_in_flight;
    case Outcome::idempotency_key_reused:
      return problems::idempotency_key_reused;
    case Outcome::transaction_not_found:
      return problems::transaction_not_found;
    case Outcome::blocked:
      return problems::payment_blocked;
    case Outcome::audit_unavailable:
      return problems::audit_unavailable;
    case Outcome::service_busy:
      return problems::service_busy;
    case Outcome::processor_busy:
    case Outcome::duplicate:
      return problems::processor_busy;
    case Outcome::processor_unavailable:
      return problems::processor_unavailable;
    case Outcome::processor_timeout:
      return problems::processor_timeout;
    case Outcome::processor_unreachable:
      return problems::processor_unreachable;
    case Outcome::processor_failed:
    case Outcome::answer_refused:
    case Outcome::answered:
    case Outcome::replayed:  // answered from the stored answer, never as a problem
      return problems::processor_failed;
  }
  return problems::processor_failed;
}

}  // namespace paygate::gateway
