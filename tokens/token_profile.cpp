#include "tokens/token_profile.h"

#include "card/luhn.h"
#include "card/mask.h"

namespace paygate::tokens {

crypto::Status TokenProfile::validate() const {
  if (keep_front != 0 && keep_front != 4 && keep_front != 6 && keep_front != 8) {
    return crypto::make_error(crypto::ErrorCode::invalid_argument, "keep_front must be 0, 4, 6 or 8");
  }
  if (keep_back != 0 && keep_back != 4)
    return crypto::make_error(crypto::ErrorCode::invalid_argument, "keep_back must be 0 or 4");
  if (min_length < 12 || max_length > 19 || min_length > max_length) {
    return crypto::make_error(crypto::ErrorCode::invalid_argument, "PAN lengths must lie within 12..19");
  }
  if (kind == TokenKind::fpe && allow_luhn_invalid) {
    return crypto::make_error(crypto::ErrorCode::invalid_argument,
                              "fpe profiles cannot accept Luhn-invalid PANs");
  }
  return {};
}

std::optional<TokenLayout> layout_for(const TokenProfile& profile, int length) {
  if (length < profile.min_length || length > profile.max_length) return std::nullopt;
  const card::KeptDigits kept = card::kept_digits(length, profile.keep_front, profile.keep_back);
  TokenLayout layout{kept.front, 0, kept.back};
  layout.middle = length - layout.front - layout.back;
  if (layout.middle < 6) return std::nullopt;
  return layout;
}

crypto::Status check_pan(const TokenProfile& profile, std::string_view pan) {
  if (!card::all_digits(pan))
    return crypto::make_error(crypto::ErrorCode::invalid_argument, "card number must be digits only");
  const int length = static_cast<int>(pan.size());
  if (length < profile.min_length || length > profile.max_length) {
    return crypto::make_error(crypto::ErrorCode::invalid_argument,
                              "card number length " + std::to_string(length) + " is outside " +
                                  std::to_string(profile.min_length) + ".." +
                                  std::to_string(profile.max_length));
  }
  if (!profile.allow_luhn_invalid && !card::luhn_valid(pan)) {
    return crypto::make_error(crypto::ErrorCode::invalid_argument, "card number fails the Luhn check");
  }
  return {};
}

}  // namespace paygate::tokens
