// Test support: a SoftHSM2 token of its own for each test (Debian's softhsm2), in a fresh
// directory, initialized with softhsm2-util — the real PKCS#11 module the gateway loads.
// SOFTHSM2_CONF points at the token's configuration for this process and the children it
// starts; the module reads it at each C_Initialize, so every test sees only its token.
#pragma once

#include <filesystem>
#include <string>

namespace paygate::test {

inline constexpr const char* softhsm_module = "/usr/lib/softhsm/libsofthsm2.so";
inline constexpr const char* softhsm_user_pin = "4711-test-pin";

class SoftHsmToken {
 public:
  // Initializes a token labelled `label` under `dir` (created), with the user PIN above,
  // and writes the PIN to dir/hsm.pin (mode 0600). Throws with softhsm2-util's output.
  SoftHsmToken(const std::filesystem::path& dir, const std::string& label);
  const std::string& label() const { return label_; }
  const std::filesystem::path& pin_file() const { return pin_file_; }
  const std::filesystem::path& token_dir() const { return token_dir_; }
  // The `pkcs11:` block of a keyring's KEK entry for key `key_label` in this token,
  // indented by `indent` spaces.
  std::string keyring_block(const std::string& key_label, int indent) const;

 private:
  std::string label_;
  std::filesystem::path token_dir_;
  std::filesystem::path pin_file_;
};

}  // namespace paygate::test
