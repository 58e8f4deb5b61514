// MACs for hash chains (the audit log): HMAC-SHA256(key, previous MAC || record bytes).
// A ChainMac is bound to one key of use `audit`; it is how audit/ reaches Botan without
// seeing key material. Not thread-safe (one per writer or verifier thread).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "crypto/keyring.h"
#include "crypto/status.h"

namespace paygate::crypto {

using ChainTag = std::array<std::uint8_t, 32>;

class ChainMac {
 public:
  // The primary audit key (new records). Errors: unknown_key when there is none.
  static Result<ChainMac> for_signing(const KeyRing& keyring);
  // A key that may still verify (primary or active). Errors: unknown_key, retired_key,
  // wrong_key_use.
  static Result<ChainMac> for_verifying(const KeyRing& keyring, std::string_view key_id);

  ChainMac(ChainMac&&) noexcept;
  ChainMac& operator=(ChainMac&&) noexcept;
  ~ChainMac();

  const std::string& key_id() const { return key_id_; }
  ChainTag compute(const ChainTag& previous, std::string_view record) const;
  // Constant time.
  bool verify(const ChainTag& previous, std::string_view record, const ChainTag& tag) const;

 private:
  struct Impl;
  ChainMac(std::string key_id, std::unique_ptr<Impl> impl);
  std::string key_id_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paygate::crypto
