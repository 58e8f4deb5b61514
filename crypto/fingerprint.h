// Keyed fingerprints of card numbers: HMAC-SHA256(key, merchant id, PAN), for convergent
// tokens and duplicate detection without storing or comparing PANs in clear. The key
// comes from the keyring (use: fingerprint); each fingerprint records its key id so that
// rotation can re-fingerprint. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/keyring.h"
#include "crypto/status.h"

namespace paygate::crypto {

struct Fingerprint {
  std::string key_id;
  std::array<std::uint8_t, 32> mac{};

  std::string hex() const;  // 64 lowercase hex characters
  bool operator==(const Fingerprint& other) const;  // constant time on the MAC
};

class Fingerprinter {
 public:
  explicit Fingerprinter(std::shared_ptr<const KeyRing> keyring) : keyring_(std::move(keyring)) {}

  // Under the primary fingerprint key. Errors: unknown_key when there is none.
  Result<Fingerprint> fingerprint(std::string_view merchant_id, std::string_view pan) const;
  // Under a named key that may still verify (rotation, lookups of old rows).
  Result<Fingerprint> fingerprint_with(std::string_view key_id, std::string_view merchant_id,
                                       std::string_view pan) const;

 private:
  std::shared_ptr<const KeyRing> keyring_;
};

}  // namespace paygate::crypto
