#include "crypto/random.h"

#include <botan/hmac_drbg.h>
#include <botan/mac.h>
#include <botan/mem_ops.h>
#include <botan/system_rng.h>

#include "crypto/secret.h"

namespace paygate::crypto {

Botan::RandomNumberGenerator& system_rng() { return Botan::system_rng(); }

void random_bytes(std::span<std::uint8_t> out) { Botan::system_rng().randomize(out.data(), out.size()); }

Botan::RandomNumberGenerator& message_rng() {
  // Seeded from the OS on first use; Botan's Stateful_RNG reseeds from it after 1,024
  // requests and whenever the process id changed (a fork must not repeat the parent's
  // stream).
  thread_local Botan::HMAC_DRBG drbg(Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)"),
                                     Botan::system_rng(), 1024);
  return drbg;
}

void message_random_bytes(std::span<std::uint8_t> out) { message_rng().randomize(out.data(), out.size()); }

void reserve_locked_memory() { Botan::secure_vector<std::uint8_t> probe(32); }

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  return Botan::constant_time_compare(a.data(), b.data(), a.size());
}

}  // namespace paygate::crypto
