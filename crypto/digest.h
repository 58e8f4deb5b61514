// SHA-256 for identifiers that are not secrets by themselves but must not be stored in
// clear: API keys (the config holds their hash), certificate fingerprints.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace paygate::crypto {

using Sha256 = std::array<std::uint8_t, 32>;

Sha256 sha256(std::span<const std::uint8_t> bytes);
Sha256 sha256(std::string_view text);

}  // namespace paygate::crypto
