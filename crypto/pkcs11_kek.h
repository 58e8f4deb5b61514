// A KEK inside a PKCS#11 token (an HSM; SoftHSM2 in tests): an AES-256 secret key that is
// sensitive and not extractable, so it never leaves the token. Data keys are wrapped and
// unwrapped by the token (CKM_AES_KEY_WRAP_PAD, RFC 5649): their material passes through
// this process's locked memory, the KEK's never does.
//
// The module (a shared library named in config) is loaded once per process and initialized
// for the duration of each use: opening a KEK initializes it, logs in with the user PIN,
// finds the token by label and the key by CKA_LABEL; destroying the last open KEK of a
// module finalizes it. So each start, reload and ceremony sees the token as it is now —
// one that went away is an error then, not a stale handle later.
//
// Errors (every message names the module, and the token or slot where it is known; never
// the PIN): key_file (the PIN file or variable), unavailable (the module cannot be loaded
// or initialized, no token of that label, the token stopped answering), not_found (no key
// of that label), invalid_argument (wrong PIN, locked PIN, a key that is not a
// non-extractable AES wrapping key), authentication_failed (a wrapped value the token
// refuses: another KEK, or tampered). Thread-safe: calls into one module are serialized.
// Every call blocks on the token.
#pragma once

#include <memory>
#include <string>

#include "crypto/kek.h"
#include "crypto/keyring.h"

namespace paygate::crypto {

struct Pkcs11KekLocation {
  std::string module;       // path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so
  std::string token_label;  // the token (CKA_LABEL of the token, as C_GetTokenInfo shows it)
  std::string key_label;    // the KEK's CKA_LABEL
  KeySource pin;            // the user PIN: a file (mode 0600) or an environment variable
};

Result<std::unique_ptr<Kek>> open_pkcs11_kek(std::string kek_id, const Pkcs11KekLocation& location);

// `paygate kek init --pkcs11`: creates the KEK in the token (generated inside it:
// CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, not CKA_EXTRACTABLE, CKA_WRAP and CKA_UNWRAP only),
// or finds the one already there under that label.
struct Pkcs11KekCreated {
  std::string check_value;
  bool existed = false;
};
Result<Pkcs11KekCreated> create_pkcs11_kek(const Pkcs11KekLocation& location);

}  // namespace paygate::crypto
