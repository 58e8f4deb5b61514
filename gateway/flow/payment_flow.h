// The one payment flow, for every transport: a session frames a message, hands it over
// with what it saw of the caller (flow/exchange.h), and gets back a decision it turns
// into its wire answer. Steps, in order (docs/architecture.md):
//
//   route      the message's route under the snapshot it runs on (404/405, ISO 12)
//   identify   the merchant, from that snapshot, for every message (401, ISO 63)
//   authorize  the route allowed for the merchant (403, ISO 58)
//   negotiate  the body's format and the answer's (415, 406)
//   decode     and validate, through the message adapter (400, ISO format error)
//   records    a follow-up's transaction known (404); the idempotency key claimed, or
//              its first answer replayed (409 in flight, 422 reused)
//   transform  the request policies (field actions: tokens, JWE, envelopes)
//   screen     fraud screening on the fingerprinted card (402, ISO block code)
//   gate       the audit log healthy, else nothing leaves (503, ISO 96)
//   forward    through the route's processor client: breaker, retry-if-safe
//   transform  the response policies, the tokens the request issued
//   guard      no card number in what goes back
//   settle     (settle(), before the session answers) the idempotency key's answer kept
//              or its claim given up; an approved authorization remembered
//   record     (record(), once the session has answered) metrics, key use, one audit
//              record of the same shape for every transport, the access line
//
// Failures of every step are values (Outcome), never exceptions. Work that blocks (the
// vault, RSA, a remote screening state) runs on the blocking pool; the rest stays on the
// network thread. Not thread-safe: one flow per network thread.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "gateway/flow/exchange.h"

namespace paygate::gateway {

struct Runtime;

class PaymentFlow {
 public:
  explicit PaymentFlow(Runtime& runtime) : runtime_(runtime) {}

  // Decides x.outcome (and x.issues) for x.message under x.view. For Outcome::answered
  // the message holds the processor's answer, rewritten for the merchant.
  boost::asio::awaitable<void> run(Exchange& x);

  // Before the session answers: keeps the answer of a request that holds its idempotency
  // key when the processor may have acted (else gives the key up), and remembers an
  // approved authorization for the follow-ups that will name it. Blocking work on the
  // pool; a failure is logged, never changes the answer.
  boost::asio::awaitable<void> settle(Exchange& x, unsigned status, std::string_view content_type,
                                      std::string_view body);
  // Whether settle() has anything to do for `x` (most answers: nothing), so a session
  // skips the call, and its header lookup, on the common path.
  bool needs_settling(const Exchange& x) const;

  // The one record of an exchange the session has answered: metrics, key use, the
  // audit record (for messages that reached a route) and the access line.
  boost::asio::awaitable<void> record(const Exchange& x, const WireAnswer& wire);

  // An authentication or authorization failure, or a connection closed for a bad frame:
  // the audit record of a security event. False when the log refused it. `suppressed`:
  // records of the same kind not written for this client address since its last one.
  boost::asio::awaitable<bool> record_security_event(const Exchange& x, std::string_view type,
                                                     std::string_view reason, std::uint64_t suppressed = 0);

 private:
  boost::asio::awaitable<void> process(Exchange& x, const config::Route& route);
  boost::asio::awaitable<void> forward(Exchange& x, const config::Route& route);
  boost::asio::awaitable<void> answer(Exchange& x, const config::Route& route);
  void feed_back(Exchange& x);

  Runtime& runtime_;
};

}  // namespace paygate::gateway
