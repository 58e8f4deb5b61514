// The one rule for how much of a card number may be shown, used wherever a card number
// is shown in part (logs, audit records, CLI output, answers) and by the token profiles
// for the digits a token keeps in clear. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace paygate::card {

// Digits kept in clear at each end of a card number.
struct KeptDigits {
  int front = 0;
  int back = 0;
};

// At least this many middle digits are always hidden: with the check digit, 6 hidden
// digits still leave 100,000 candidates for a shown number.
inline constexpr int min_hidden_digits = 6;

// How many digits of a `length`-digit number may stay in clear, keeping at most
// `max_front` and `max_back`: the front shrinks 8 -> 6 -> 4 -> 0 until at least
// min_hidden_digits are hidden; if that is not enough, the back goes too. A number
// shorter than min_hidden_digits keeps nothing.
KeptDigits kept_digits(int length, int max_front = 6, int max_back = 4);

// The masked form of a digit string under kept_digits(): "411111******1111" (16 digits),
// "3782*******0005" (15), "********1234" (12).
std::string mask(std::string_view digits);

}  // namespace paygate::card
