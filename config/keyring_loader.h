// Loads a keyring file (YAML, separate from the main configuration) into a validated,
// immutable crypto::KeyRing. Errors cite file:line:column and the key path, like the
// main configuration's.
//
//   keys:
//     - id: data-2026-11          # 1..64 of A-Z a-z 0-9 _ -
//       use: data                 # data | fpe | fingerprint | audit
//       algorithm: aes-256-gcm    # optional; defaults by use
//       state: primary            # primary | active | retired
//       file: data-2026-11.key    # hex text, mode 0600; or  env: PAYGATE_KEY_DATA
//     - id: fpe-1
//       use: fpe
//       state: primary
//       fpe_slot: 1               # fpe keys only, 1..9
//       file: fpe-1.key
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "config/error.h"
#include "crypto/keyring.h"

namespace paygate::config {

struct KeyringLoadResult {
  std::shared_ptr<const crypto::KeyRing> keyring;
  std::vector<ConfigError> errors;
  bool ok() const { return keyring != nullptr; }
};

KeyringLoadResult load_keyring(const std::filesystem::path& file);

}  // namespace paygate::config
