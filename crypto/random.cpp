#include "crypto/random.h"

#include <botan/mem_ops.h>
#include <botan/system_rng.h>

#include "crypto/secret.h"

namespace paygate::crypto {

Botan::RandomNumberGenerator& system_rng() { return Botan::system_rng(); }

void random_bytes(std::span<std::uint8_t> out) { Botan::system_rng().randomize(out.data(), out.size()); }

void reserve_locked_memory() { Botan::secure_vector<std::uint8_t> probe(32); }

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  return Botan::constant_time_compare(a.data(), b.data(), a.size());
}

}  // namespace paygate::crypto
