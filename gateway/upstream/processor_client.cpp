#include "gateway/upstream/processor_client.h"

#include <algorithm>

#include "gateway/log.h"

namespace paygate::gateway {

ProcessorClient::ProcessorClient(const ProcessorContext& processor, std::unique_ptr<Upstream> upstream,
                                 Metrics& metrics, Metrics::ProcessorCounters& counters)
    : processor_(processor), upstream_(std::move(upstream)), metrics_(metrics), counters_(counters) {}

bool ProcessorClient::failing(const UpstreamAnswer& answer) const {
  if (const auto* http = std::get_if<HttpAnswerIn>(&answer.message)) return http->status >= 500;
  if (const auto* iso = std::get_if<protocol::iso8583::Message>(&answer.message)) {
    const auto& codes =
        processor_.config->iso ? processor_.config->iso->failure_codes : std::vector<std::string>{};
    return std::find(codes.begin(), codes.end(), iso->fields.get(39)) != codes.end();
  }
  return false;
}

boost::asio::awaitable<UpstreamAnswer> ProcessorClient::send(const UpstreamRequest& request, bool may_resend,
                                                             std::string_view request_id,
                                                             std::string_view route) {
  CircuitBreaker& breaker = *processor_.breaker;
  UpstreamAnswer answer;
  for (int attempt = 1;; ++attempt) {
    if (!breaker.allow()) {
      answer = UpstreamAnswer{UpstreamFault::breaker_open, {}};
      break;
    }
    answer = co_await upstream_->exchange(request);
    switch (answer.fault) {
      case UpstreamFault::none:
        if (failing(answer))
          breaker.record_failure();
        else
          breaker.record_success();
        break;
      case UpstreamFault::busy:
      case UpstreamFault::queue_timeout:
      case UpstreamFault::duplicate:
        breaker.record_nothing();
        break;
      default:
        breaker.record_failure();
    }
    const UpstreamFault f = answer.fault;
    const bool left_unseen = f == UpstreamFault::connect_failed || f == UpstreamFault::connect_timeout;
    const bool maybe_seen =
        f == UpstreamFault::reset || f == UpstreamFault::timeout || f == UpstreamFault::bad_answer;
    if (attempt > 1 || !(left_unseen || (maybe_seen && may_resend))) break;
    log::info("retrying", {{"request_id", request_id}, {"route", route}, {"processor", processor_.config->name},
                          {"after", to_string(f)}});
  }
  if (answer.fault != UpstreamFault::none) {
    metrics_.upstream_fault(counters_, static_cast<std::size_t>(answer.fault));
    log::warn("processor exchange failed", {{"request_id", request_id}, {"route", route},
                                           {"processor", processor_.config->name}, {"fault", to_string(answer.fault)}});
  }
  co_return answer;
}

}  // namespace paygate::gateway
