// Strict text encodings used by paygate's formats: base64url without padding (RFC 4648
// section 5, as JOSE uses it) and lowercase hex. Decoders reject anything non-canonical.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <botan/secmem.h>

namespace paygate::crypto {

std::string base64url_encode(std::span<const std::uint8_t> bytes);

// nullopt for characters outside the alphabet, padding, a length of 4k+1, or non-zero
// unused bits in the last character.
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);
std::optional<Botan::secure_vector<std::uint8_t>> base64url_decode_secret(std::string_view text);

std::string hex_encode(std::span<const std::uint8_t> bytes);  // lowercase
// Accepts upper or lower case; nullopt for odd length or a non-hex character.
std::optional<Botan::secure_vector<std::uint8_t>> hex_decode_secret(std::string_view text);
std::optional<std::vector<std::uint8_t>> hex_decode(std::string_view text);

}  // namespace paygate::crypto
