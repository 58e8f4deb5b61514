// Loads a keyring file (YAML, separate from the main configuration) into a validated,
// immutable crypto::KeyRing. Errors cite file:line:column and the key path, like the
// main configuration's.
//
//   allow_plaintext_keys: false   # keys in the clear (file:, env:) only when true (development)
//   keks:                         # key-encrypting keys, by id (docs/crypto.md "Key custody")
//     - id: kek-2026
//       pkcs11:                   # an AES key inside a PKCS#11 token, never leaving it
//         module: /usr/lib/softhsm/libsofthsm2.so
//         token: paygate          # the token's label
//         key_label: paygate-kek-2026
//         pin_file: hsm.pin       # mode 0600; or  pin_env: PAYGATE_HSM_PIN
//     - id: kek-split-1
//       components:               # the XOR of 2 or 3 custodians' component files
//         check_value: 1A2B3C     # the combined KEK's
//         parts:
//           - { file: /custodian-a/kek-split-1.part, check_value: 0F1E2D }
//           - { file: /custodian-b/kek-split-1.part, check_value: 3C4B5A }
//   keys:
//     - id: data-2026-11          # 1..64 of A-Z a-z 0-9 _ -
//       use: data                 # data | fpe | fingerprint | audit
//       algorithm: aes-256-gcm    # optional; defaults by use (a wrapped file names its own)
//       state: primary            # primary | active | retired
//       wrapped: data-2026-11.wrapped   # wrapped under the KEK the file names; or, in the
//                                       # clear: file: X.key (hex, 0600) or env: VARIABLE
//     - id: fpe-1
//       use: fpe
//       state: primary
//       fpe_slot: 1               # fpe keys only, 1..9
//       wrapped: fpe-1.wrapped
//
// Loading opens only the KEKs that some wrapped file names (so a retired KEK may stay
// listed until its token is gone), each once, and closes them when done: unwrapped keys
// live in locked memory, the KEKs stay where they are. Blocking (files, tokens).
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "config/error.h"
#include "crypto/kek_source.h"
#include "crypto/keyring.h"

namespace paygate::config {

// Where one key's material is, as the keyring file says.
struct KeySourceEntry {
  enum class Kind { file, env, wrapped };
  std::string key_id;
  Kind kind = Kind::file;
  std::string location;  // absolute path (file, wrapped) or variable name (env)
  int line = 0;          // 1-based line of its file:/env:/wrapped: key (for `keys wrap`)
};

struct KeyringLoadResult {
  std::shared_ptr<const crypto::KeyRing> keyring;
  std::vector<ConfigError> errors;
  // What the file declares (filled whenever the file parses, for the ceremonies).
  std::vector<crypto::KekSpec> keks;
  std::vector<KeySourceEntry> sources;
  bool ok() const { return keyring != nullptr; }
};

KeyringLoadResult load_keyring(const std::filesystem::path& file);

}  // namespace paygate::config
