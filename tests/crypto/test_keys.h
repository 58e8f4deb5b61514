// Test support for crypto tests: keyrings built in memory from fixed material.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/keyring.h"

namespace paygate::crypto::test {

inline Key key(std::string id, KeyUse use, KeyState state, std::uint8_t fill, int slot = 0) {
  auto algorithm = default_algorithm(use);
  return Key::create(std::move(id), use, algorithm, state, slot,
                     SecretBytes(Botan::secure_vector<std::uint8_t>(key_length(algorithm), fill)))
      .value();
}

inline std::shared_ptr<const KeyRing> ring(std::vector<Key> keys) {
  return std::get<std::shared_ptr<const KeyRing>>(KeyRing::create(std::move(keys)));
}

}  // namespace paygate::crypto::test
