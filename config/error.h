// One problem found in a configuration file (the main file, the keyring, an ISO 8583 spec).
#pragma once

#include <string>

namespace paygate::config {

// `line` and `column` are 1-based and point at the offending value (or key, for unknown
// and duplicate keys; or the enclosing mapping, for missing keys). `path` is the key
// path, e.g. "listeners[0].tls.certificate". Messages never quote secret material: the
// main file holds none by construction.
struct ConfigError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string path;
  std::string message;
  // invalid: the file is wrong. unavailable: the file may be right but something it names
  // did not answer (an HSM at start or reload); reload counts these apart.
  enum class Kind { invalid, unavailable };
  Kind kind = Kind::invalid;

  // "file:line:column: path: message"
  std::string to_string() const;
};

}  // namespace paygate::config
