// Field envelopes: one sensitive field value encrypted under paygate's own primary `data`
// key (AES-256-GCM), for systems that hand the value back later.
//
// Format (docs/crypto.md):   pg1.<key id>.<base64url(nonce[12] || ciphertext || tag[16])>
// The associated data binds the format version, the key id, the field path and the
// merchant id, so a value moved to another field or merchant does not decrypt.
// Decryption looks the key up by the id in the envelope: old envelopes keep opening after
// rotation until their key is retired. Thread-safe; the keyring is shared read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <botan/secmem.h>

#include "crypto/keyring.h"
#include "crypto/status.h"

namespace paygate::crypto {

inline constexpr std::size_t envelope_max_plaintext = 64 * 1024;

class EnvelopeCipher {
 public:
  explicit EnvelopeCipher(std::shared_ptr<const KeyRing> keyring) : keyring_(std::move(keyring)) {}

  // Errors: unknown_key when the keyring has no primary data key; invalid_argument for a
  // plaintext over envelope_max_plaintext.
  Result<std::string> seal(std::span<const std::uint8_t> plaintext, std::string_view field_path,
                           std::string_view merchant_id) const;
  Result<std::string> seal(std::string_view plaintext, std::string_view field_path, std::string_view merchant_id) const;

  // Errors: malformed (not an envelope), unknown_key, retired_key, wrong_key_use,
  // authentication_failed (tampered, or another field, merchant or key).
  Result<Botan::secure_vector<std::uint8_t>> open(std::string_view envelope, std::string_view field_path,
                                                  std::string_view merchant_id) const;

  // The key id an envelope names, without decrypting (for rotation reports).
  static Result<std::string> key_id_of(std::string_view envelope);

 private:
  std::shared_ptr<const KeyRing> keyring_;
};

}  // namespace paygate::crypto
