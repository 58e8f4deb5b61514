// Key material. Bytes live in a Botan::secure_vector (zeroized on release), are never
// printed, and are read through one function, reveal_secret(), that grep can find.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <botan/secmem.h>

namespace paygate::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(Botan::secure_vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes&) = default;
  SecretBytes& operator=(const SecretBytes&) = default;
  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(SecretBytes&&) noexcept = default;

  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

 private:
  friend const Botan::secure_vector<std::uint8_t>& reveal_secret(const SecretBytes& secret);
  Botan::secure_vector<std::uint8_t> bytes_;
};

// The only way to the bytes. Callers hand them straight to a cipher or MAC.
inline const Botan::secure_vector<std::uint8_t>& reveal_secret(const SecretBytes& secret) { return secret.bytes_; }

// Makes the locked, never-dumped memory pool that key material lives in exist now (Botan
// builds it on the first secure allocation), so that its size can be checked at start.
void reserve_locked_memory();

// Constant-time equality, for MACs and tags.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

}  // namespace paygate::crypto
