#include "gateway/iso/answers.h"

namespace paygate::gateway {
namespace {

// The fields a generated answer repeats from its request (never a card number).
constexpr int echoed_fields[] = {3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49, 70, 90};

}  // namespace

std::string_view response_code_for(Outcome outcome, const config::IsoListener& listener,
                                   const config::Processor* processor, std::string_view block_code) {
  const std::string_view timeout_code =
      processor && processor->iso ? std::string_view(processor->iso->timeout_code) : "91";
  switch (outcome) {
    case Outcome::route_not_found:
    case Outcome::method_not_allowed:
      return "12";  // invalid transaction
    case Outcome::unauthenticated:
      return "63";  // security violation
    case Outcome::route_not_allowed:
      return "58";  // not permitted to terminal
    case Outcome::invalid_message:
    case Outcome::unsupported_media_type:  // not reached on ISO 8583: one format
    case Outcome::not_acceptable:
    case Outcome::idempotency_in_flight:
    case Outcome::idempotency_key_reused:
      return listener.format_error_code;
    case Outcome::transaction_not_found:
      return "25";  // unable to locate record
    case Outcome::card_refused:
      return "14";  // invalid card number
    case Outcome::blocked:
      return block_code.empty() ? std::string_view("59") : block_code;
    case Outcome::duplicate:
      return listener.duplicate_code;
    case Outcome::processor_busy:
    case Outcome::processor_unavailable:
    case Outcome::processor_timeout:
    case Outcome::processor_unreachable:
    case Outcome::processor_failed:
      return timeout_code;
    case Outcome::replayed:  // not reached: ISO 8583 claims no idempotency keys
    case Outcome::audit_unavailable:
    case Outcome::service_busy:
    case Outcome::answer_refused:
    case Outcome::answered:
      return "96";  // system malfunction
  }
  return "96";
}

std::string response_mti(std::string_view mti) {
  std::string out(mti);
  if (out.size() == 4 && out[2] >= '0' && out[2] <= '8' && (out[2] - '0') % 2 == 0)
    out[2] = static_cast<char>(out[2] + 1);
  return out;
}

protocol::iso8583::Message generated_answer(const protocol::iso8583::Message& request,
                                            std::string_view code) {
  protocol::iso8583::Message answer;
  answer.mti = response_mti(request.mti);
  for (int f : echoed_fields) {
    if (request.has(f)) answer.fields.set(f, request.fields.get(f));
  }
  answer.fields.set(39, code);
  return answer;
}

}  // namespace paygate::gateway
