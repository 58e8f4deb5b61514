// Where a KEK comes from, as the keyring names it: a PKCS#11 token, or custodians'
// components. open_kek() is the one way the gateway and the ceremonies get a Kek.
//
// Errors: those of crypto/pkcs11_kek.h and crypto/kek_components.h, prefixed with the KEK
// id. Blocking (files, the token); thread-safe.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "crypto/kek.h"
#include "crypto/kek_components.h"
#include "crypto/pkcs11_kek.h"

namespace paygate::crypto {

struct KekComponentsSource {
  std::vector<KekComponent> parts;  // 2 or 3
  std::string check_value;          // the combined KEK's, as recorded at the ceremony
};

struct KekSpec {
  std::string id;
  std::variant<Pkcs11KekLocation, KekComponentsSource> source;

  bool in_token() const { return std::holds_alternative<Pkcs11KekLocation>(source); }
};

Result<std::unique_ptr<Kek>> open_kek(const KekSpec& spec);

}  // namespace paygate::crypto
