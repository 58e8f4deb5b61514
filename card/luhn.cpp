#include "card/luhn.h"

#include <algorithm>

namespace paygate::card {
namespace {

// Contribution of digit `d` at a position that is doubled or not.
constexpr int weight(int d, bool doubled) { return doubled ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d; }

}  // namespace

int luhn_residue(std::string_view digits) {
  int sum = 0;
  bool doubled = false;  // the rightmost digit is not doubled
  for (std::size_t i = digits.size(); i-- > 0;) {
    sum += weight(digits[i] - '0', doubled);
    doubled = !doubled;
  }
  return sum % 10;
}

char luhn_digit_for(std::string_view digits, std::size_t index, int target) {
  const bool doubled = (digits.size() - 1 - index) % 2 == 1;
  const int current = luhn_residue(digits);
  const int without = (current - weight(digits[index] - '0', doubled) + 10) % 10;
  for (int d = 0; d <= 9; ++d) {
    if ((without + weight(d, doubled)) % 10 == target) return static_cast<char>('0' + d);
  }
  return digits[index];  // unreachable: weight() is a bijection on 0..9
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace paygate::card
