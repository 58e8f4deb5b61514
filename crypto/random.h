// The one source of randomness in paygate: the operating system's RNG (getrandom) via
// Botan::System_RNG. Thread-safe; no state of our own to seed, fork or reseed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace Botan { class RandomNumberGenerator; }

namespace paygate::crypto {

void random_bytes(std::span<std::uint8_t> out);

// For Botan calls that take an RNG (RSA-OAEP padding, ECDH ephemeral keys).
Botan::RandomNumberGenerator& system_rng();

}  // namespace paygate::crypto
