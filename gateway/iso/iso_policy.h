// Field policies on ISO 8583 messages, by field number, with the same actions as the JSON
// routes (config::IsoFieldRule): tokenize / detokenize the PAN in DE 2, or the PAN inside
// track 2 (DE 35) keeping the separator and discretionary data; drop any field. DE 52
// (PIN block) and DE 55 (EMV) are never touched (config refuses rules for them). The
// actions object does the token work (and keeps the token and masked PAN for the audit
// record); errors name the field and a code, never a value.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "protocol/iso8583/message.h"
#include "protocol/payment/field_policy.h"

namespace paygate::gateway {

struct IsoPolicyError {
  int field = 0;
  std::string code;  // e.g. "token_not_found", "malformed_track2"
};

std::vector<IsoPolicyError> apply_iso_policy(const std::vector<config::IsoFieldRule>& rules,
                                             protocol::iso8583::Message& message, protocol::FieldActions& actions);

// Removes DE 2, 35 and 45 when they still hold a card number (a Luhn-valid PAN): the last
// guard before an answer reaches a merchant. Returns the fields removed.
std::vector<int> strip_card_numbers(protocol::iso8583::Message& message);

}  // namespace paygate::gateway
