// Data keys wrapped under a key-encrypting key (KEK), so that no data key is at rest in
// the clear (PCI DSS 3.6.1.2): AES key wrap with padding (RFC 5649, NIST SP 800-38F KWP),
// and the versioned file a wrapped key lives in. The file names the KEK and carries the
// key check values of the KEK and of the data key — never material — so a file wrapped
// under another KEK, or tampered with, is refused with the file's name and the reason.
//
// Errors: invalid_argument (a KEK that is not 16/24/32 bytes; an empty key),
// authentication_failed (the integrity check of RFC 5649 failed: wrong KEK or tampered),
// malformed (a file that is not a wrapped key file of a known version). Thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/kek.h"
#include "crypto/keyring.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace paygate::crypto {

// RFC 5649 under `kek` (AES-128, -192 or -256 material).
Result<std::vector<std::uint8_t>> wrap_key(const SecretBytes& kek, std::span<const std::uint8_t> key);
Result<SecretBytes> unwrap_key(const SecretBytes& kek, std::span<const std::uint8_t> wrapped);

// Key check value of raw AES material: the first 3 bytes of AES(key, 0^128), as 6
// upper-case hex digits (Key::check_value uses it for AES keys).
std::string aes_check_value(const SecretBytes& key);

// A check value as paygate writes and compares it: upper-case hex.
std::string check_value_text(std::string_view hex);

// A wrapped key file, version 1 (text, one "name: value" per line):
//   paygate-wrapped-key: 1
//   kek: <KEK id>
//   kek_kcv: <6 hex>
//   algorithm: <aes-256-gcm | aes-128-ff1 | aes-256-ff1 | hmac-sha256>
//   key_kcv: <6 hex, of the data key>
//   wrapped: <hex of the RFC 5649 output>
struct WrappedKeyFile {
  std::string kek_id;
  std::string kek_check_value;
  KeyAlgorithm algorithm = KeyAlgorithm::aes_256_gcm;
  std::string key_check_value;
  std::vector<std::uint8_t> wrapped;

  std::string serialize() const;
  static Result<WrappedKeyFile> parse(std::string_view text);
};

// Wraps `key` (material of `algorithm`) under `kek`.
Result<WrappedKeyFile> wrap_key_file(const Kek& kek, KeyAlgorithm algorithm, const SecretBytes& key);

// Opens a wrapped key file with the KEK it names: refused (invalid_argument) when the
// file names another KEK id or the KEK's check value differs, authentication_failed when
// the RFC 5649 check fails, key_file when the unwrapped key's length or check value is
// not what the file says.
Result<SecretBytes> unwrap_key_file(const WrappedKeyFile& file, const Kek& kek);

// A wrapped key file on disk. Reading checks it as a key file is checked (regular, no
// access for group or others, owned by us or root) and parses it; writing is atomic
// (a new 0600 file beside it, fsync, rename, fsync of the folder), refusing to replace an
// existing file unless `replace`. Errors name the file, never its bytes.
Result<WrappedKeyFile> read_wrapped_key_file(const std::string& path);
Status write_wrapped_key_file(const std::string& path, const WrappedKeyFile& file, bool replace);

}  // namespace paygate::crypto
