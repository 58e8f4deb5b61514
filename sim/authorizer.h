// The processor simulator's decision logic: a payment request in, a processor answer out.
// Pure (no network), so the amount rules are unit-tested. docs/simulator.md lists them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace paygate::sim {

struct SimAnswer {
  unsigned http_status = 200;
  std::string body;  // JSON
};

// Ids the simulator hands out; injected so that tests get fixed values.
class IdSource {
 public:
  virtual ~IdSource() = default;
  virtual std::string authorization_code() = 0;  // 6 characters, A-Z0-9
  virtual std::string transaction_id() = 0;      // "sim_" + 24 hex characters
};

// Decides on an authorization request:
//   {"amount":{"value":<minor units>,"currency":"EUR"},"card":{"number":"4111..."} | {"token":"..."}}
// Amount rules (by value in minor units):
//   value > 1,000,000       -> declined, response_code "61" (exceeds amount limit)
//   value % 100 == 5        -> declined, "05" (do not honor)
//   value % 100 == 14       -> declined, "14" (invalid card number)
//   value % 100 == 51       -> declined, "51" (insufficient funds)
//   value % 100 == 54       -> declined, "54" (expired card)
//   value % 100 == 91       -> error,    "91" (issuer unavailable)
//   otherwise               -> approved, "00"
// A request that is not such an object gets HTTP 400 {"error":"invalid_request","detail":...}.
// The answer echoes the card masked (first 6, last 4), never in full.
//
// Card fields (number, cvv) may arrive as JWE compact serializations (the gateway's
// encrypt_for_processor): `decrypt` opens them (nullopt: it cannot, answered 400). The
// card number must then be 12-19 digits passing Luhn, or the answer is a decline "14";
// a token (Luhn-invalid by design) in card.token is accepted. The answer reports how each
// field arrived without its value: "received": {"number": "jwe"|"plain", "cvv": ...}.
// With metadata {"sim_echo_pan": "true"} the answer carries card.number in full, as some
// processors do, so tests can check that the gateway's response policy tokenizes it.
struct AuthorizeOptions {
  std::function<std::optional<std::string>(std::string_view compact)> decrypt;  // empty: JWE refused
  // Without decrypt: accept JWE fields unopened ("received": "jwe_unopened") instead of
  // refusing them — for benchmarks, where opening them (RSA) is not the gateway's cost.
  bool jwe_unopened = false;
};
// `traceparent`: the request's W3C traceparent header, reported as received.traceparent
// so tests can see the trace reach the processor.
SimAnswer authorize(std::string_view request_json, IdSource& ids, const AuthorizeOptions& options = {},
                    std::string_view traceparent = {});

// First 6 and last 4 characters kept, the rest replaced by '*' (strings shorter than 11
// characters are masked entirely).
std::string mask_card_number(std::string_view number);

}  // namespace paygate::sim
