#include "card/mask.h"

namespace paygate::card {

KeptDigits kept_digits(int length, int max_front, int max_back) {
  KeptDigits kept{0, max_back};
  for (int front : {8, 6, 4, 0}) {
    if (front > max_front) continue;
    kept.front = front;
    if (length - front - kept.back >= min_hidden_digits) break;
  }
  if (length - kept.front - kept.back < min_hidden_digits) kept.back = 0;
  if (length - kept.front - kept.back < min_hidden_digits) kept.front = 0;
  return kept;
}

std::string mask(std::string_view digits) {
  const KeptDigits kept = kept_digits(static_cast<int>(digits.size()));
  std::string out(digits);
  for (std::size_t i = static_cast<std::size_t>(kept.front); i + static_cast<std::size_t>(kept.back) < out.size(); ++i)
    out[i] = '*';
  return out;
}

}  // namespace paygate::card
