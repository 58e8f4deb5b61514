// A printer for ISO 8583 messages in logs and tools. Masked by default: PAN first 6 and
// last 4; expiry, track data, PIN block and EMV values hidden (EMV tags are listed, never
// their values). Binary content prints as hex.
#pragma once

#include <string>
#include <string_view>

#include "protocol/iso8583/message.h"
#include "protocol/iso8583/spec.h"

namespace paygate::protocol::iso8583 {

enum class Masking { masked, unmasked };

// One field's printable value, masked by the rules above unless `unmasked`.
std::string printable_field(const MessageSpec& spec, int field, std::string_view value, Masking masking);

// Lines "MTI 0100" then "F002 <value>  (description)" per field.
std::string describe_text(const MessageSpec& spec, const Message& message, Masking masking);

// {"0":"0100","2":"411111******1111",...}
std::string describe_json(const MessageSpec& spec, const Message& message, Masking masking);

}  // namespace paygate::protocol::iso8583
