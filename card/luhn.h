// The Luhn (mod 10) check on digit strings. The residue is the weighted digit sum mod 10:
// 0 for every valid card number, and 1..9 for every paygate token (DESIGN.md, Tokens).
// Pure functions; nothing here keeps or prints a card number.
#pragma once

#include <cstddef>
#include <string_view>

namespace paygate::card {

bool all_digits(std::string_view text);  // false for the empty string

// Precondition: `digits` holds only '0'..'9'.
int luhn_residue(std::string_view digits);

// False for anything that is not one or more digits.
inline bool luhn_valid(std::string_view digits) { return all_digits(digits) && luhn_residue(digits) == 0; }

// The digit for position `index` of `digits` (0-based from the left) that makes the whole
// string's residue equal `target` (0..9); every other digit stays as it is. One exists
// for every target because each position's contribution is a bijection on 0..9.
char luhn_digit_for(std::string_view digits, std::size_t index, int target);

}  // namespace paygate::card
