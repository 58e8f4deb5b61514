// JWE compact serialization (RFC 7516), the format card networks use for field- and
// message-level encryption.
//
// Key management: RSA-OAEP-256 and RSA-OAEP (RSA keys), ECDH-ES, ECDH-ES+A128KW and
// ECDH-ES+A256KW (P-256 keys), A128KW, A256KW and dir (symmetric keys).
// Content encryption: A128GCM and A256GCM, 96-bit IVs, 128-bit tags.
// Not accepted, on purpose: RSA1_5 (padding oracles), "zip" (compression leaks length),
// "crit" extensions, and CBC-HMAC content encryption.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <botan/secmem.h>

#include "crypto/jose_key.h"
#include "crypto/status.h"

namespace paygate::crypto {

inline constexpr std::size_t jwe_max_compact = 1024 * 1024;

struct JweEncryptOptions {
  std::string alg;  // empty: RSA-OAEP-256 for RSA keys, ECDH-ES for EC keys, dir for oct keys
  std::string enc = "A256GCM";
  std::optional<std::string> kid;  // unset: the key's JWK kid, else its SPKI SHA-256 hex
  std::optional<std::string> cty;  // e.g. "application/json"
};

// Errors: invalid_argument (alg does not fit the key), unsupported (unknown alg or enc).
Result<std::string> jwe_encrypt(std::span<const std::uint8_t> plaintext, const JoseKey& recipient,
                                const JweEncryptOptions& options = {});
Result<std::string> jwe_encrypt(std::string_view plaintext, const JoseKey& recipient,
                                const JweEncryptOptions& options = {});

struct JweDecrypted {
  Botan::secure_vector<std::uint8_t> plaintext;
  std::string alg;
  std::string enc;
  std::optional<std::string> kid;
  std::optional<std::string> cty;
};

// Errors: malformed (not five base64url parts, bad header JSON, wrong IV or tag size,
// bad epk), unsupported (alg or enc outside the list above, zip, crit), wrong_key_use
// (alg does not fit the key), authentication_failed (any decryption or tag failure: one
// error for all, so that it is no oracle). Nothing from the input is quoted.
// What a decryption accepts. Empty members accept any supported value (tools and tests);
// the gateway pins both to what the processor's config names, so a message cannot pick
// a weaker algorithm (RSA-OAEP with SHA-1 only when configured) or content encryption.
struct JweDecryptOptions {
  std::string alg;
  std::string enc;
};

// Also: unsupported when the header's alg or enc is not the pinned one.
Result<JweDecrypted> jwe_decrypt(std::string_view compact, const JoseKey& key, const JweDecryptOptions& options = {});

// The alg jwe_encrypt uses for a key when none is configured: RSA-OAEP-256, ECDH-ES, dir.
std::string_view default_jwe_alg(const JoseKey& key);

}  // namespace paygate::crypto
