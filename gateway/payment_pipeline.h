// A payment message on its way through paygate, as two blocking steps that run on the
// BlockingPool: the merchant's request (decode with bounds, validate, request field
// policies) and the processor's answer (decode, response field policies, the tokens that
// issue_token made placed beside their fields). The network code forwards in between.
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "gateway/request_actions.h"
#include "protocol/payment/validation.h"

namespace paygate::gateway {

struct PipelineRequest {
  // Set when the request is refused: the problem's status and {path, code} entries.
  unsigned refusal_status = 0;  // 400 (message rules), 503 (vault or crypto unavailable)
  std::vector<protocol::ValidationIssue> issues;
  std::string body;  // what the processor receives, when not refused
  // For fraud screening: the amount (minor units) and billing country of the message.
  std::uint64_t amount = 0;
  std::string billing_country;
};

struct PipelineAnswer {
  bool processor_garbage = false;  // the processor's 2xx answer was not the JSON expected
  unsigned refusal_status = 0;     // a response action failed: 502 (or 503 for the vault)
  std::vector<protocol::ValidationIssue> issues;
  std::string body;
  std::string processor_status;  // the answer's "status" (approved, declined, ...), for fraud feedback
  std::string processor_code;    // its "response_code"
};

// Both steps share one RequestActions (what the audit record reports).
class PaymentPipeline {
 public:
  PaymentPipeline(const ActionServices& services, const config::Route& route, const config::Processor& processor,
                  std::string merchant, std::uint64_t max_body, std::uint64_t max_response)
      : route_(route), actions_(services, route, processor, std::move(merchant)), max_body_(max_body),
        max_response_(max_response) {}

  PipelineRequest request(const std::string& body, int year, int month);
  PipelineAnswer answer(const std::string& body) {
    PipelineAnswer out;
    if (read_answer(body, out)) finish_answer(out);
    return out;
  }
  // The answer in two parts, so that the network thread can finish it when the response
  // policies have nothing to do (no crypto, no vault) and only hand it to the blocking
  // pool when they do. read_answer decodes and reads it (false: not JSON, out says so).
  bool read_answer(const std::string& body, PipelineAnswer& out);
  // Whether a response policy would tokenize, open or look up a field the answer holds.
  bool answer_needs_services();
  // The response policies, the issued tokens, and the last PAN check; after read_answer.
  void finish_answer(PipelineAnswer& out);

  const RequestActions& actions() const { return actions_; }
  RequestActions& actions() { return actions_; }

 private:
  void screening_facts(const boost::json::object& message, PipelineRequest& out);
  const config::Route& route_;
  // The request's and the answer's JSON trees live in one arena per exchange: a bump
  // allocation per node instead of a heap allocation, all freed with the pipeline. The
  // first 8 KiB come with the pipeline object itself.
  alignas(std::max_align_t) unsigned char arena_buffer_[8 * 1024];
  boost::json::monotonic_resource arena_{arena_buffer_, sizeof arena_buffer_};
  std::optional<boost::json::value> answer_;  // the decoded answer, between read_answer and finish_answer
  RequestActions actions_;
  std::uint64_t max_body_;
  std::uint64_t max_response_;
};

}  // namespace paygate::gateway
