// Keys for JWE: RSA and EC P-256 (public or private), and symmetric ("oct") keys, read
// from a JWK (RFC 7517) or PEM (SubjectPublicKeyInfo, PKCS#8 or an X.509 certificate).
// Immutable; thread-safe to share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace Botan {
class Public_Key;
class Private_Key;
}  // namespace Botan

namespace paygate::crypto {

class JoseKey {
 public:
  enum class Kind { rsa, ec_p256, oct };

  // Errors: malformed (not JSON, missing or badly encoded members, a point off the
  // curve), unsupported (another kty or curve, RSA under 2048 bits).
  static Result<JoseKey> from_jwk(std::string_view json);
  // PEM "PUBLIC KEY", "PRIVATE KEY" (unencrypted PKCS#8) or "CERTIFICATE".
  static Result<JoseKey> from_pem(std::string_view pem);
  // A JWK when the text starts with '{' (after white space), PEM otherwise.
  static Result<JoseKey> parse(std::string_view text);
  // parse() on a file's content. Private key files must be mode 0600 or stricter.
  static Result<JoseKey> load_file(const std::string& path);

  // A fresh key pair, for tests and tools: RSA (bits >= 2048) or P-256.
  static JoseKey generate_rsa(std::size_t bits);
  static JoseKey generate_p256();

  Kind kind() const { return kind_; }
  bool is_private() const { return private_ != nullptr || kind_ == Kind::oct; }

  // The JWK "kid" member, when the key came from a JWK that had one.
  const std::optional<std::string>& kid() const { return kid_; }
  // Lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER: the kid that
  // Mastercard's encryption uses. Empty for oct keys. Computed once, when the key is made
  // (the JWE header carries it on every encryption).
  const std::string& spki_sha256_hex() const { return spki_sha256_hex_; }

  // PEM of the public half (SubjectPublicKeyInfo) and, for private keys, PKCS#8.
  std::string public_pem() const;
  std::string private_pem() const;  // empty for public keys

  // For jwe.cpp: the Botan objects (never null for the matching kind).
  const Botan::Public_Key* public_key() const { return public_.get(); }
  const Botan::Private_Key* private_key() const { return private_.get(); }
  const SecretBytes& secret() const { return secret_; }

 private:
  JoseKey() = default;
  // Every factory's last step: fills spki_sha256_hex_.
  static JoseKey with_spki_id(JoseKey key);
  Kind kind_ = Kind::oct;
  std::shared_ptr<const Botan::Public_Key> public_;
  std::shared_ptr<const Botan::Private_Key> private_;  // also the public key when set
  SecretBytes secret_;                                 // oct keys only
  std::optional<std::string> kid_;
  std::string spki_sha256_hex_;
};

}  // namespace paygate::crypto
