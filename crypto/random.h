// Randomness in paygate comes from the operating system's RNG (Botan::System_RNG; on this
// Botan build a read of /dev/urandom per call). Key material is drawn from it directly
// (random_bytes). Per-message values — JWE content keys, IVs and OAEP seeds, envelope
// nonces — come from message_rng(): a per-thread HMAC_DRBG (SHA-256, NIST SP 800-90A)
// seeded from the OS RNG and reseeded from it every 1,024 draws and after a fork, read a
// 512-byte block at a time (a block drawn before a fork is dropped in the child), so a
// message costs no system call (issue #21: a JWE made three reads, then two getpid for
// Botan's fork check). Thread-safe: each thread has its own generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace Botan { class RandomNumberGenerator; }

namespace paygate::crypto {

void random_bytes(std::span<std::uint8_t> out);

// For Botan calls that take an RNG (key generation, key checks).
Botan::RandomNumberGenerator& system_rng();

// Per-message randomness (see above): this thread's generator. Never shared between
// threads; never used for long-lived key material.
Botan::RandomNumberGenerator& message_rng();
void message_random_bytes(std::span<std::uint8_t> out);

}  // namespace paygate::crypto
