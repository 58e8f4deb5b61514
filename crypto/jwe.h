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

#include <chrono>
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

// Content-key reuse: opt-in per processor, off by default (docs/crypto.md, "Content-key
// reuse"). Within a window bounded by count and age, JWEs to one recipient share one
// content key and its RSA-OAEP-wrapped form, each with a fresh 96-bit IV; the recipient
// decrypts each as any JWE. It trades the RSA operation per message (the sender's ~20 us,
// the processor's ~4 ms private-key operation) for exposure: whoever learns one content
// key reads every message of its window. Only RSA-OAEP and RSA-OAEP-256 reuse; other
// algorithms encrypt as jwe_encrypt does.
struct JweKeyReuse {
  std::uint32_t max_messages = 0;  // per content key; 0 or 1: no reuse
  std::chrono::milliseconds max_age{0};
  bool enabled() const { return max_messages > 1 && max_age.count() > 0; }
};

// Not thread-safe: one per thread (and per recipient, or it starts a new key whenever the
// recipient or options change). The content key lives in locked memory and is wiped when
// replaced or when the encryptor goes.
class JweReusingEncryptor {
 public:
  explicit JweReusingEncryptor(JweKeyReuse reuse) : reuse_(reuse) {}
  // Other bounds (a reload changed them) end the current window.
  void set_reuse(JweKeyReuse reuse);
  Result<std::string> encrypt(std::string_view plaintext, const JoseKey& recipient, const JweEncryptOptions& options);
  // How many JWEs the current content key has sealed (tests, benchmarks).
  std::uint32_t uses() const { return uses_; }

 private:
  JweKeyReuse reuse_;
  // The current window's recipient (SPKI hash) and options: another ends the window.
  std::string spki_, alg_;
  JweEncryptOptions options_;
  Botan::secure_vector<std::uint8_t> cek_;
  std::string header_b64_, encrypted_key_b64_;
  std::uint32_t uses_ = 0;
  std::chrono::steady_clock::time_point made_{};
};

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
