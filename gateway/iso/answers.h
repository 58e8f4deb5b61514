// The ISO 8583 wire of the payment flow's outcomes: one table from Outcome to DE 39
// (docs/iso8583.md), and the answers paygate makes itself (response MTI, the request's
// echoed fields, DE 39). Outcome::answered has none: the processor's answer, rewritten,
// is the answer.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "gateway/flow/outcome.h"
#include "protocol/iso8583/message.h"

namespace paygate::gateway {

// `processor` (may be null before routing) gives the timeout code; `block_code` is the
// screening profile's (empty: none).
std::string_view response_code_for(Outcome outcome, const config::IsoListener& listener,
                                   const config::Processor* processor, std::string_view block_code);

// The request's response MTI (0100 -> 0110, 0200 -> 0210 ...).
std::string response_mti(std::string_view mti);

// An answer paygate makes: the response MTI, the request's non-card fields that identify
// the exchange, and `code` in DE 39. Never a card number.
protocol::iso8583::Message generated_answer(const protocol::iso8583::Message& request, std::string_view code);

}  // namespace paygate::gateway
