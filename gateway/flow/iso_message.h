// The ISO 8583 message adapter: a message an acquirer host sent over an iso8583
// listener (docs/iso8583.md). Routes by MTI and a prefix of DE 3; checks the fields the
// listener's spec requires; field policies apply by field number — the PAN in DE 2, or
// inside track 2 (DE 35) keeping its separator and discretionary data; DE 52 (PIN block)
// and DE 55 (EMV) are never touched (config refuses rules for them). The processor gets
// the message after the request policy; its answer comes back after the response policy.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "gateway/flow/message.h"
#include "protocol/iso8583/message.h"
#include "protocol/iso8583/spec.h"

namespace paygate::gateway {

class IsoMessage final : public Message {
 public:
  // `spec`: the listener's, whose required fields decode() checks.
  IsoMessage(protocol::iso8583::Message request, std::shared_ptr<const protocol::iso8583::MessageSpec> spec)
      : request_(std::move(request)), outgoing_(request_), spec_(std::move(spec)) {}

  const config::Route* route(const Snapshot& snapshot, RouteMiss& miss) override;
  bool decode(const config::Route& route, std::vector<protocol::ValidationIssue>& issues) override;
  void restart() override { outgoing_ = request_; }
  PaymentFacts facts() const override;
  bool request_needs_services(const config::Route& route) const override;
  PolicyOutcome apply_request_policy(const config::Route& route, RequestActions& actions) override;
  bool bound_to(const config::Merchant& merchant) const override;
  Outcome negotiate(const config::Route&) const override { return Outcome::answered; }  // one format
  UpstreamRequest take_upstream_request(const config::Route& route, const ProcessorContext& processor,
                                        std::string_view request_id, std::string_view merchant) override;
  bool may_resend(const config::Route& route) const override;
  bool read_answer(UpstreamAnswer answer, AnswerFacts& facts) override;
  bool answer_needs(const config::Route& route, const std::function<bool(protocol::FieldAction)>& counts) override;
  PolicyOutcome apply_response_policy(const config::Route& route, RequestActions& actions) override;
  void answer_text(const std::function<void(std::string_view, std::string_view)>& each) const override;

  // For the ISO 8583 session's answer.
  const protocol::iso8583::Message& request() const { return request_; }
  protocol::iso8583::Message& answer() { return answer_; }

 private:
  protocol::iso8583::Message request_;   // as the merchant sent it
  protocol::iso8583::Message outgoing_;  // after the request policy
  protocol::iso8583::Message answer_;    // the processor's, after the response policy
  std::shared_ptr<const protocol::iso8583::MessageSpec> spec_;
};

// Field rules of an ISO 8583 route applied to one message: card actions on DE 2 and
// the PAN inside DE 35, drop on any field. Errors name the field ("DE35") and a code.
PolicyOutcome apply_iso_policy(const std::vector<config::IsoFieldRule>& rules,
                               protocol::iso8583::Message& message, protocol::FieldActions& actions);

}  // namespace paygate::gateway
