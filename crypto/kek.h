// A key-encrypting key (KEK), wherever it lives: recombined from custodians' components
// into this process's locked memory (crypto/kek_components.h), or inside a PKCS#11 token
// that never lets it out (crypto/pkcs11_kek.h). Data keys are wrapped and unwrapped through
// this interface only (RFC 5649, AES key wrap with padding), so the wrapped key file and
// the keyring do not care where the KEK is.
//
// Errors: authentication_failed (the wrapped value does not open under this KEK: another
// KEK, or tampered), unavailable (a token that stopped answering), internal. A Kek is used
// by one thread at a time; a PKCS#11 Kek's calls block on the token.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace paygate::crypto {

class Kek {
 public:
  virtual ~Kek() = default;
  Kek(const Kek&) = delete;
  Kek& operator=(const Kek&) = delete;

  const std::string& id() const { return id_; }
  // 6 upper-case hex digits: the first 3 bytes of AES(KEK, 0^128). Identifies the KEK in
  // wrapped files, ceremony records and the audit log without revealing it.
  const std::string& check_value() const { return check_value_; }

  virtual Result<std::vector<std::uint8_t>> wrap(const SecretBytes& key) const = 0;
  virtual Result<SecretBytes> unwrap(std::span<const std::uint8_t> wrapped) const = 0;

 protected:
  Kek(std::string id, std::string check_value) : id_(std::move(id)), check_value_(std::move(check_value)) {}

 private:
  std::string id_;
  std::string check_value_;
};

// A KEK whose material is in this process (locked memory): AES-128/192/256.
// Errors: invalid_argument for another length.
Result<std::unique_ptr<Kek>> make_memory_kek(std::string id, SecretBytes material);

}  // namespace paygate::crypto
