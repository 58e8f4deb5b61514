// What the gateway remembers about payments, kept beside the vault and in the same store
// (so that several instances sharing PostgreSQL agree):
//   - idempotency keys, per merchant: the keyed hash of the request that claimed the key
//     and, once it finished, the answer it got, to replay to a retry;
//   - authorized transactions, per merchant: the processor_transaction_ids a capture,
//     refund or void may name.
// Never a card number: an answer is stored as the merchant saw it (tokens, masked
// numbers), a request only as a keyed hash. Rows expire: claims with the idempotency
// window, transactions with their retention; expired rows are erased as new ones arrive.
//
// Thread-safe and blocking (call from the blocking pool). A write is durable before it
// returns. Errors: unavailable (the store failed or is busy), internal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/status.h"

namespace paygate::tokens {

// An answer as the merchant received it.
struct StoredAnswer {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

struct IdempotencyClaim {
  enum class State {
    claimed,    // the key is this request's now: run it, then complete() or release()
    in_flight,  // another request holds the key and has not finished
    done,       // another request finished under the key: `answer` is what it got
  };
  State state = State::claimed;
  std::string request_hash;  // in_flight, done: the hash the first request stored
  StoredAnswer answer;       // done
};

class PaymentRecords {
 public:
  virtual ~PaymentRecords() = default;

  // Claims (merchant, key) for a request whose parameters hash to `request_hash`, until
  // `expires_at` (unix seconds); a claim that expired is replaced. Atomic across threads,
  // processes and instances: of two concurrent claims exactly one is `claimed`.
  virtual crypto::Result<IdempotencyClaim> claim(std::string_view merchant, std::string_view key,
                                                 std::string_view request_hash, std::int64_t now,
                                                 std::int64_t expires_at) = 0;
  // Stores the answer of the request that holds the claim.
  virtual crypto::Status complete(std::string_view merchant, std::string_view key, const StoredAnswer& answer) = 0;
  // Gives up a claim whose request never reached the processor, so that a retry runs.
  virtual crypto::Status release(std::string_view merchant, std::string_view key) = 0;

  // Remembers a transaction the processor authorized for `merchant`, until `expires_at`.
  virtual crypto::Status remember_transaction(std::string_view merchant, std::string_view transaction_id,
                                              std::int64_t now, std::int64_t expires_at) = 0;
  // Whether `transaction_id` was authorized for `merchant` and has not expired.
  virtual crypto::Result<bool> transaction_known(std::string_view merchant, std::string_view transaction_id,
                                                 std::int64_t now) = 0;
};

}  // namespace paygate::tokens
