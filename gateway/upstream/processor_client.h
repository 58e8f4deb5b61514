// The one way the payment flow reaches a processor, whatever it speaks: the processor's
// circuit breaker, the retry rule, and the fault metrics and log lines, around this
// thread's Upstream to it. One per processor and network thread; not thread-safe (the
// breaker it shares with other threads locks itself).
//
// Rules, the same for HTTPS and ISO 8583:
//   - an open breaker answers breaker_open without contacting the processor;
//   - a fault where the request never left (connect failed or timed out) is retried
//     once; a fault after it may have left (reset, timeout, a garbled answer) is retried
//     once only when the caller says the request may be sent twice (an idempotent route
//     and an idempotency key) — nobody can prove the processor did not see it;
//   - connection faults and answers that say the processor is failing (HTTP 5xx, or an
//     ISO 8583 code among the processor's failure_codes) count against the breaker; a
//     full local queue (busy, queue_timeout, duplicate) counts for nothing.
#pragma once

#include <memory>
#include <string_view>

#include "gateway/metrics.h"
#include "gateway/upstream/processor.h"
#include "gateway/upstream/upstream.h"

namespace paygate::gateway {

class ProcessorClient {
 public:
  ProcessorClient(const ProcessorContext& processor, std::unique_ptr<Upstream> upstream, Metrics& metrics,
                  Metrics::ProcessorCounters& counters);

  // `request_id` and `route` name the exchange in log lines.
  boost::asio::awaitable<UpstreamAnswer> send(const UpstreamRequest& request, bool may_resend,
                                              std::string_view request_id, std::string_view route);

  // Whether an answer says the processor is failing (it still goes back to the merchant).
  bool failing(const UpstreamAnswer& answer) const;

  const ProcessorContext& processor() const { return processor_; }
  Upstream& upstream() { return *upstream_; }

 private:
  const ProcessorContext& processor_;
  std::unique_ptr<Upstream> upstream_;
  Metrics& metrics_;
  Metrics::ProcessorCounters& counters_;
};

}  // namespace paygate::gateway
