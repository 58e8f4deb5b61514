// Token profiles: what a token keeps of the card number, and how it is made.
//
// A token has the PAN's length, keeps `keep_front` leading digits (0, 4, 6 or 8: the
// BIN) and `keep_back` trailing ones (0 or 4), and replaces the middle. The middle must
// keep at least 6 digits (10^6, FF1's minimum domain, and a floor against guessing), so
// for short PANs the profile gives up front digits first, by the rule every masked card
// number follows too (card::kept_digits):
//   keep_front steps down 8 -> 6 -> 4 -> 0 until the middle has >= 6 digits;
//   if even keep_front 0 leaves fewer, keep_back drops to 0 as well.
// E.g. keep 6+4: lengths 16..19 keep 6+4, 14..15 keep 4+4, 12..13 keep 0+4.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "crypto/status.h"

namespace paygate::tokens {

enum class TokenKind { vault, fpe };

struct TokenProfile {
  std::string name;
  TokenKind kind = TokenKind::vault;
  int keep_front = 6;  // 0, 4, 6 or 8
  int keep_back = 4;   // 0 or 4
  int min_length = 12;
  int max_length = 19;
  bool allow_luhn_invalid = false;  // vault profiles only; for test traffic

  // Checks the fields above (allowed values, 12 <= min <= max <= 19, fpe profiles never
  // accept Luhn-invalid PANs). Errors: invalid_argument.
  crypto::Status validate() const;
};

struct TokenLayout {
  int front = 0;
  int middle = 0;
  int back = 0;
};

// The effective layout for a PAN of `length` digits, by the rule above; nullopt when the
// length is outside the profile.
std::optional<TokenLayout> layout_for(const TokenProfile& profile, int length);

// Why a PAN cannot be tokenized under a profile: invalid_argument with a reason that
// quotes nothing of the PAN. OK when it can.
crypto::Status check_pan(const TokenProfile& profile, std::string_view pan);

}  // namespace paygate::tokens
