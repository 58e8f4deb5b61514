// The payment API's message adapter: a JSON message over HTTPS (docs/api.md). Routes by
// method and path; decodes with bounds and validates by the route's message kind; the
// field policies apply to JSON paths; the processor gets JSON and answers JSON. A route
// with no message kind and no policies passes its body through as it is, both ways
// (with its content type), still under the flow's identity, gate, guard and record.
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>

#include "gateway/flow/message.h"

namespace paygate::gateway {

// What the HTTPS session read of a request (no Beast types past the session).
struct HttpRequestIn {
  std::string method;  // as sent, e.g. "POST"
  std::string target;  // path and query
  std::string content_type;
  std::string accept;
  std::string idempotency_key;  // empty when absent
  std::string traceparent;      // for the processor (gateway/trace_context.h), or empty
  std::string tracestate;
  std::string body;
};

class JsonMessage final : public Message {
 public:
  // `max_body`: the listener's limit (JSON decoding bounds follow it).
  JsonMessage(HttpRequestIn request, std::uint64_t max_body)
      : request_(std::move(request)), max_body_(max_body) {}

  const config::Route* route(const Snapshot& snapshot, RouteMiss& miss) override;
  bool decode(const config::Route& route, std::vector<protocol::ValidationIssue>& issues) override;
  void restart() override;
  PaymentFacts facts() const override;
  // The Idempotency-Key header, or the body's idempotency_key (they must agree when both
  // are given); routes with a message kind only.
  std::string_view idempotency_key() const override { return idempotency_key_; }
  std::string_view request_body() const override { return request_.body; }
  std::string_view follow_up_transaction(const config::Route& route) const override;
  bool request_needs_services(const config::Route& route) const override;
  PolicyOutcome apply_request_policy(const config::Route& route, RequestActions& actions) override;
  bool bound_to(const config::Merchant& merchant) const override;
  // Routes that read the body (a message kind or policies) take application/json only and
  // answer it only to a caller whose Accept admits it; pass-through routes leave both to
  // the processor.
  Outcome negotiate(const config::Route& route) const override;
  UpstreamRequest take_upstream_request(const config::Route& route, const ProcessorContext& processor,
                                        std::string_view request_id, std::string_view merchant) override;
  bool may_resend(const config::Route& route) const override;
  bool read_answer(UpstreamAnswer answer, AnswerFacts& facts) override;
  bool answer_needs(const config::Route& route, const std::function<bool(protocol::FieldAction)>& counts) override;
  PolicyOutcome apply_response_policy(const config::Route& route, RequestActions& actions) override;
  void answer_text(const std::function<void(std::string_view, std::string_view)>& each) const override;

  // For the HTTPS session's answer.
  const std::string& allowed_methods() const { return allowed_methods_; }  // after a method miss
  unsigned answer_status() const { return answer_status_; }
  const std::string& answer_content_type() const { return answer_content_type_; }
  std::string take_answer_body() { return std::move(answer_body_); }
  std::size_t answer_size() const { return answer_body_.size(); }

 private:
  static bool passes_through(const config::Route& route);

  HttpRequestIn request_;
  std::uint64_t max_body_;
  std::string allowed_methods_;
  bool pass_through_ = false;
  std::string_view idempotency_key_;  // after decode(): into the request or its JSON tree
  // The request's and the answer's JSON trees live in one arena per message: a bump
  // allocation per node instead of a heap allocation, all freed with the message. The
  // first 8 KiB come with the object itself.
  alignas(std::max_align_t) unsigned char arena_buffer_[8 * 1024];
  boost::json::monotonic_resource arena_{arena_buffer_, sizeof arena_buffer_};
  std::optional<boost::json::value> request_tree_;
  std::string outgoing_body_;  // what the processor receives
  std::optional<boost::json::value> answer_tree_;
  unsigned answer_status_ = 0;
  std::string answer_content_type_;
  std::string answer_body_;  // what the merchant receives
};

// What screening reads of a JSON payment: amount.value, billing_address.country, and
// card.number when it is a card number (Luhn-valid, 12..19 digits).
PaymentFacts json_payment_facts(const boost::json::object& message);

}  // namespace paygate::gateway
