// One message's way through the gateway: what the session knows when it hands the
// message to the flow, what the flow decides, and what the record reports. Owned by the
// session for the message's lifetime; the flow's blocking steps share its parts by
// shared_ptr, so nothing dangles if the connection goes away meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/flow/field_actions.h"
#include "gateway/flow/identify.h"
#include "gateway/flow/message.h"
#include "gateway/flow/outcome.h"
#include "gateway/flow/screening.h"
#include "gateway/request_id.h"
#include "gateway/trace_context.h"
#include "tokens/payment_records.h"

namespace paygate::gateway {

struct ThreadSnapshot;
struct ListenerContext;

struct Exchange {
  using Clock = std::chrono::steady_clock;

  // Set by the session.
  std::shared_ptr<ThreadSnapshot> view;  // this message's snapshot and upstreams, held to its answer
  const ListenerContext* listener = nullptr;
  Credentials credentials;
  RequestId request_id;
  Clock::time_point start{};
  std::uint64_t bytes_in = 0;
  std::shared_ptr<Message> message;
  std::optional<TraceContext> trace;  // HTTPS: the W3C trace this request continues or starts
  std::string forwarded_client_ip;    // behind a trusted proxy: the client it names (credentials.client_ip)

  // Set by the flow.
  Outcome outcome = Outcome::answered;
  std::vector<protocol::ValidationIssue>
      issues;                            // what the answer names: fields and rule codes, never values
  const config::Route* route = nullptr;  // view's config
  Identity identity;
  std::string_view merchant = "-";          // "-" until identified; view's config or a constant
  std::string_view upstream = "-";          // what happened at the processor: "ok", a fault, "fraud_block"...
  std::string_view allowed_methods;         // method_not_allowed: the route's methods (view's config)
  std::shared_ptr<RequestActions> actions;  // when the message reached its policies
  std::shared_ptr<Screening> screening;     // when the route screens
  AnswerFacts answer_facts;                 // when the processor answered
  bool audit_suppressed = false;            // an authentication failure past its address's audit limit
  // Idempotency (flow/idempotency.h): whether this request holds its key's claim (then
  // settle() keeps or gives up its answer), and the first request's answer for a replay.
  bool idempotency_claimed = false;
  std::optional<tokens::StoredAnswer> replay;
  std::string merchant_reference;  // the message's own reference (HTTPS: merchant_reference), for support
  std::uint64_t amount = 0;        // the message's amount (minor units), once decoded
  std::string currency;            // and its currency

  const fraud::Decision* fraud() const { return screening ? screening->decision() : nullptr; }
};

// What the session answered, for the record.
struct WireAnswer {
  std::string_view record_type;    // the audit record's type: "request" (HTTPS), "iso8583_exchange"
  std::string_view method;         // HTTPS: the request method ("OTHER" for unknown ones)
  unsigned status = 0;             // HTTPS: the answer's status
  std::string_view mti;            // ISO 8583: the request's MTI
  std::string_view stan;           // ISO 8583: DE 11
  std::string_view response_code;  // ISO 8583: DE 39 sent; HTTPS: the processor's response_code, if any
  std::uint64_t bytes_out = 0;
};

}  // namespace paygate::gateway
