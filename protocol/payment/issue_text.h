// How a validation issue is shown to a developer (docs/api.md, "Errors"): where, as an
// RFC 6901 JSON Pointer, and what, as a short message per code. One table for every
// transport and command that answers problem+json. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace paygate::protocol {

// "$" -> "", "$.card.number" -> "/card/number", "$.items[2].pan" -> "/items/2/pan";
// "~" and "/" in member names are escaped as RFC 6901 says ("~0", "~1").
std::string json_pointer(std::string_view issue_path);

// A short explanation of an issue code ("pan_luhn" -> "The card number fails the Luhn
// check."), never naming a value. Codes this table does not know get a pointer to the docs.
std::string_view issue_message(std::string_view code);

}  // namespace paygate::protocol
