// {"0": MTI, "2": ...} JSON to an ISO 8583 message, for the iso8583 commands.
#pragma once

#include <string>

#include "protocol/iso8583/message.h"

namespace paygate::cli {

// False (with a message on stderr naming `command`) when the text is not such an object.
bool message_from_json(const std::string& text, protocol::iso8583::Message& message, const char* command);

}  // namespace paygate::cli
