// Vaultless (FPE) tokens, as DESIGN.md fixes them:
//   1. split the PAN into kept front F, middle M and kept back B (token_profile.h);
//   2. FF1-encrypt M with the primary fpe key, tweak = F || B || "|" || merchant id,
//      cycle-walking (encrypting again) until F || M' || B is Luhn-valid;
//   3. set M's last digit so the token's Luhn residue equals the key's fpe_slot (1..9).
// Detokenizing reads the slot from the residue, picks that key version, restores the
// digit that makes the number Luhn-valid again, and walks FF1 decryption back until the
// result is Luhn-valid. Several key versions can be live at once; tokens never pass a
// Luhn check. Thread-safe; immutable once made.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/ff1.h"
#include "crypto/keyring.h"
#include "crypto/status.h"
#include "tokens/keys_used.h"
#include "tokens/token_profile.h"

namespace paygate::tokens {

class FpeTokenizer {
 public:
  explicit FpeTokenizer(std::shared_ptr<const crypto::KeyRing> keyring);

  // Errors: invalid_argument (the PAN does not fit the profile: wrong length, non-digits,
  // Luhn-invalid), unknown_key (no primary fpe key).
  // `used` (optional) receives the id of the key that did the work.
  crypto::Result<std::string> tokenize(std::string_view merchant_id, std::string_view pan,
                                       const TokenProfile& profile, KeysUsed* used = nullptr) const;

  // Errors: invalid_argument (not a token of this profile: wrong length, non-digits,
  // residue 0), unknown_key / retired_key (the slot's key), internal (a walk that does
  // not end: never for a genuine token).
  crypto::Result<std::string> detokenize(std::string_view merchant_id, std::string_view token,
                                         const TokenProfile& profile, KeysUsed* used = nullptr) const;

 private:
  const crypto::Ff1Decimal* engine_for(const crypto::Key& key) const;

  std::shared_ptr<const crypto::KeyRing> keyring_;
  std::map<std::string, crypto::Ff1Decimal, std::less<>> engines_;  // by key id, live fpe keys
};

}  // namespace paygate::tokens
