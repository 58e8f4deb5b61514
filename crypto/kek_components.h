// A key-encrypting key held as two or three full-length components, each by a different
// custodian (PCI DSS 3.6.1.2 "at least two full-length key components", 3.6.1.3 split
// knowledge): the KEK is their XOR, so no custodian alone knows anything of it. Each
// component file is AES-256 material in hex, mode 0600, and has its own key check value,
// recorded by its custodian at generation and checked at every start; the combined KEK has
// one too.
//
// Errors (key_file unless said): a count other than 2 or 3 (invalid_argument); a component
// file missing, readable by others or not 32 bytes of hex; a component whose check value
// differs from the recorded one; a combined KEK whose check value differs — each names the
// component by its number and path, never material. Thread-safe; reads files (blocking).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace paygate::crypto {

struct KekComponent {
  std::string path;
  std::string check_value;  // 6 hex digits, as its custodian recorded it
};

Result<SecretBytes> combine_kek_components(std::span<const KekComponent> components, std::string_view kek_check_value);

// New components for a new KEK: `count` (2 or 3) random 32-byte values, their check
// values, and the combined KEK's check value — for the custodians' records.
struct GeneratedComponents {
  std::vector<SecretBytes> components;
  std::vector<std::string> check_values;
  std::string kek_check_value;
};
Result<GeneratedComponents> generate_kek_components(std::size_t count);

}  // namespace paygate::crypto
