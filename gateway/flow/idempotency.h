// Idempotency keys and the payment lifecycle, as the payment flow uses the payment
// records (tokens/payment_records.h): what "the same request" means, what a claim
// decides, and which answers are kept for a replay. Blocking (the records are a
// database): call from the blocking pool. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/fingerprint.h"
#include "gateway/flow/outcome.h"
#include "tokens/payment_records.h"

namespace paygate::gateway {

// The request under its key: HMAC-SHA256 under the fingerprint key of the merchant, the
// route and the body's bytes (the body may hold a card number: never an unkeyed hash),
// as "<key id>:<hex>". Empty when there is no fingerprint key.
std::string idempotency_request_hash(const crypto::Fingerprinter& fingerprints, std::string_view merchant,
                                     std::string_view route, std::string_view body);

// What a claim decided for this request.
enum class ClaimVerdict {
  run,          // the key is this request's: run it, then settle it
  replay,       // the same request finished before: `replay` holds its answer
  in_flight,    // the same request is running now (409)
  reused,       // the key was used for another request (422)
  unavailable,  // the records failed: nothing can be promised (503)
};

ClaimVerdict claim_idempotency_key(tokens::PaymentRecords& records, const crypto::Fingerprinter& fingerprints,
                                   std::string_view merchant, std::string_view route, std::string_view key,
                                   std::string_view body, std::int64_t now, std::int64_t window_seconds,
                                   tokens::StoredAnswer& replay);

// Whether the processor may have acted on a request that ended with `outcome`: then its
// answer is kept for replays (a retry must not charge twice, even after a timeout);
// otherwise the claim is given up so that a corrected retry runs.
bool processor_may_have_acted(Outcome outcome);

}  // namespace paygate::gateway
