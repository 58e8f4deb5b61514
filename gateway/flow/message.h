// The payment flow's view of one message, whatever its format: a message adapter per
// format (flow/json_message.h for the payment API over HTTPS, flow/iso_message.h for
// ISO 8583). The flow (flow/payment_flow.h) decides; the adapter knows where things are
// in its format: which route the message takes, how it is checked, where the policies
// apply, what goes to the processor and how the answer is read. Adapters do no I/O and
// hold no lock; one per message, used from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "gateway/flow/outcome.h"
#include "gateway/upstream/processor.h"
#include "gateway/upstream/upstream.h"
#include "protocol/payment/field_policy.h"

namespace paygate::gateway {

struct Snapshot;
class RequestActions;

// What screening and the records read of a payment. `pan` is set only when the
// merchant's message holds a card number in clear; it is never kept.
struct PaymentFacts {
  std::string merchant_reference;  // the merchant's order reference, or ""
  std::uint64_t amount = 0;     // minor units (0 when absent)
  std::string currency;         // ISO 4217: alpha (HTTPS) or numeric (ISO 8583 DE 49), or ""
  std::string billing_country;  // ISO 3166 alpha-2, or ""
  std::string pan;
};

// What the processor's answer says, for fraud feedback and the payment records.
struct AnswerFacts {
  bool approved = false;
  std::string response_code;   // the processor's code ("00", "51", ...), or ""
  std::string transaction_id;  // the processor_transaction_id it gave, or ""
};

// The issues of the actions that failed, and the same failures typed.
struct PolicyOutcome {
  std::vector<protocol::ValidationIssue> issues;
  std::vector<protocol::ActionError> failures;
  bool ok() const { return failures.empty(); }
};

enum class RouteMiss { none, path, method };

class Message {
 public:
  virtual ~Message() = default;

  // The route this message takes under `snapshot`; null, with `miss` set, when none.
  virtual const config::Route* route(const Snapshot& snapshot, RouteMiss& miss) = 0;

  // Decodes the message for `route` and checks its rules; false, with the issues, when
  // it breaks them. A route without a message kind or policies takes its body as it is.
  virtual bool decode(const config::Route& route, std::vector<protocol::ValidationIssue>& issues) = 0;
  // Undoes decode() and the request policy: the message as it arrived, for a second run
  // of the request step after a memory-only first run stalled (flow/field_actions.h).
  virtual void restart() = 0;
  // Whether the message is in a format the route reads and its sender accepts the
  // answer's (HTTP content negotiation): answered when so, else the refusal. Before decode().
  virtual Outcome negotiate(const config::Route& route) const = 0;
  // Whether the message may come from `merchant` by what it says about its sender (ISO
  // 8583: DE 42 and DE 41 among the merchant's configured ids). Before decode().
  virtual bool bound_to(const config::Merchant& merchant) const = 0;
  virtual PaymentFacts facts() const = 0;  // after decode()

  // Idempotency and the payment lifecycle (HTTPS payment API only; ISO 8583 has its own
  // duplicate rules). After decode(): the request's idempotency key ("" when none), the
  // bytes that make two requests under one key "the same", and the processor transaction
  // a capture, refund or void names ("" for other messages).
  virtual std::string_view idempotency_key() const { return {}; }
  virtual std::string_view request_body() const { return {}; }
  virtual std::string_view follow_up_transaction(const config::Route&) const { return {}; }

  // Whether the route's request policy needs keys or the vault (else it is cheap).
  virtual bool request_needs_services(const config::Route& route) const = 0;
  virtual PolicyOutcome apply_request_policy(const config::Route& route, RequestActions& actions) = 0;

  // What goes to the processor, after the request policy. Called once: the outgoing
  // message moves into the request (the processor client keeps it for a resend).
  // `merchant`: the authenticated id, for the route's merchant_header.
  virtual UpstreamRequest take_upstream_request(const config::Route& route, const ProcessorContext& processor,
                                                std::string_view request_id, std::string_view merchant) = 0;
  // Whether the request may be sent twice: an idempotent route and an idempotency key.
  virtual bool may_resend(const config::Route& route) const = 0;

  // Takes the processor's answer; false when it is not an answer this format can read.
  virtual bool read_answer(UpstreamAnswer answer, AnswerFacts& facts) = 0;
  // Whether the route's response policy has an action `counts` accepts on a field this
  // answer holds (the flow asks for the actions that may block).
  virtual bool answer_needs(const config::Route& route,
                            const std::function<bool(protocol::FieldAction)>& counts) = 0;
  // The response policy, and what the request policy left for the answer (issued tokens).
  virtual PolicyOutcome apply_response_policy(const config::Route& route, RequestActions& actions) = 0;
  // The parts of the answer, as the merchant would receive them, that may hold a card
  // number (`where`: a field path or number), for the card-number guard.
  virtual void answer_text(
      const std::function<void(std::string_view where, std::string_view text)>& each) const = 0;
};

}  // namespace paygate::gateway
