#include "gateway/flow/idempotency.h"

namespace paygate::gateway {
namespace {

// Domain-separates these hashes from the vault's card fingerprints under the same key.
std::string scope(std::string_view merchant, std::string_view route) {
  std::string s = "paygate-idempotency";
  s += '\x1f';
  s += merchant;
  s += '\x1f';
  s += route;
  return s;
}

// Whether `stored` ("<key id>:<hex>") is the hash of this request, under the key that made
// it (the fingerprint key may have rotated within the window).
bool same_request(std::string_view stored, const crypto::Fingerprinter& fingerprints, std::string_view merchant,
                  std::string_view route, std::string_view body) {
  const auto colon = stored.find(':');
  if (colon == std::string_view::npos) return false;
  auto again = fingerprints.fingerprint_with(stored.substr(0, colon), scope(merchant, route), body);
  return again && again.value().hex() == stored.substr(colon + 1);
}

}  // namespace

std::string idempotency_request_hash(const crypto::Fingerprinter& fingerprints, std::string_view merchant,
                                     std::string_view route, std::string_view body) {
  auto f = fingerprints.fingerprint(scope(merchant, route), body);
  if (!f) return {};
  return f.value().key_id + ":" + f.value().hex();
}

ClaimVerdict claim_idempotency_key(tokens::PaymentRecords& records, const crypto::Fingerprinter& fingerprints,
                                   std::string_view merchant, std::string_view route, std::string_view key,
                                   std::string_view body, std::int64_t now, std::int64_t window_seconds,
                                   tokens::StoredAnswer& replay) {
  const std::string hash = idempotency_request_hash(fingerprints, merchant, route, body);
  if (hash.empty()) return ClaimVerdict::unavailable;
  auto claim = records.claim(merchant, key, hash, now, now + window_seconds);
  if (!claim) return ClaimVerdict::unavailable;
  using State = tokens::IdempotencyClaim::State;
  if (claim.value().state == State::claimed) return ClaimVerdict::run;
  if (claim.value().request_hash != hash && !same_request(claim.value().request_hash, fingerprints, merchant, route, body))
    return ClaimVerdict::reused;
  if (claim.value().state == State::in_flight) return ClaimVerdict::in_flight;
  replay = std::move(claim.value().answer);
  return ClaimVerdict::replay;
}

bool processor_may_have_acted(Outcome outcome) {
  switch (outcome) {
    case Outcome::answered:          // it answered
    case Outcome::answer_refused:    // it answered; paygate would not pass the answer on
    case Outcome::processor_timeout:  // it may have acted and not said so in time
    case Outcome::processor_failed:   // the exchange broke after the request went out
      return true;
    default:
      return false;
  }
}

}  // namespace paygate::gateway
