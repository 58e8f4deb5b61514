#include "crypto/status.h"

namespace paygate::crypto {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::malformed: return "malformed";
    case ErrorCode::unknown_key: return "unknown_key";
    case ErrorCode::retired_key: return "retired_key";
    case ErrorCode::wrong_key_use: return "wrong_key_use";
    case ErrorCode::authentication_failed: return "authentication_failed";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::out_of_domain: return "out_of_domain";
    case ErrorCode::key_file: return "key_file";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::internal: return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const { return std::string(crypto::to_string(code)) + ": " + reason; }

}  // namespace paygate::crypto
