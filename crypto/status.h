// Results for crypto/: a value or a typed error. Errors carry a code and a reason meant
// for operators; neither ever contains key material, plaintext or any input bytes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace paygate::crypto {

enum class ErrorCode {
  invalid_argument,   // a caller passed something outside the documented contract
  malformed,          // an envelope, JWE, JWK, PEM or key file that does not parse
  unknown_key,        // no key with that id (or slot) in the keyring
  retired_key,        // the key exists but is retired: refused for everything
  wrong_key_use,      // the key exists but is for another use or algorithm
  authentication_failed,  // a tag or MAC did not verify (wrong key, tampering, moved field)
  unsupported,        // an algorithm or parameter this build does not accept
  out_of_domain,      // an FF1 input outside radix/length bounds
  key_file,           // key material missing, unreadable, too open or of the wrong length
  not_found,          // no such token for this merchant (another merchant's token included)
  unavailable,        // the vault store failed or is busy: retry later
  internal,           // a library failure that should not happen
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string reason;  // short, operator-readable, never secret

  std::string to_string() const;
};

// A value of T or an Error. Check ok() before value(); error() only when !ok().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing but may fail.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{ErrorCode::internal, ""};
  bool ok_ = true;
};

inline Error make_error(ErrorCode code, std::string reason) { return Error{code, std::move(reason)}; }

}  // namespace paygate::crypto
