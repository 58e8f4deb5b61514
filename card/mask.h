// The one masking rule for card numbers, used wherever a card number is shown in part:
// logs, audit records, CLI output and answers. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace paygate::card {

// The masked form of a digit string: the first 6 and the last 4 digits kept, '*' for
// the middle, e.g. "411111******1111".
std::string mask(std::string_view digits);

}  // namespace paygate::card
