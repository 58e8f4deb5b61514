// The Upstream of an ISO 8583 processor: long-lived, multiplexed TLS links from one
// network thread to it.
//
// Each link carries many requests at once; answers come back in any order and are
// matched to their requests by a key made of configured fields (STAN, DE 41, DE 42 by
// default). An unanswered request times out (the caller answers the merchant with the
// processor's timeout code); an answer arriving later is dropped and counted. Idle links
// send 0800 echo tests; a link that drops or fails its echo is reconnected with
// exponential backoff, and every request in flight on it is answered as timed out at
// once — none is lost silently. Everything runs on the owning thread: no locks.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gateway/metrics.h"
#include "net/asio.h"
#include "gateway/upstream/processor.h"
#include "gateway/upstream/upstream.h"
#include "protocol/iso8583/message.h"

namespace paygate::gateway {

class IsoLinks final : public Upstream {
 public:
  // `links`: this thread's number of links. Starts connecting at once.
  IsoLinks(net::asio::any_io_executor executor, const ProcessorContext& processor, std::uint32_t links,
                 Metrics::ProcessorCounters& counters);
  ~IsoLinks() override;  // closes every link; pending requests end as link_dropped
  IsoLinks(const IsoLinks&) = delete;
  IsoLinks& operator=(const IsoLinks&) = delete;

  // Sends `request` (an ISO 8583 message) on a link that is up and waits for its answer.
  // Faults: unavailable (no link up within the connect timeout), timeout, link_dropped,
  // duplicate (the same match key is in flight on every link).
  net::asio::awaitable<UpstreamAnswer> exchange(const UpstreamRequest& request) override;


  struct Link;

 private:
  net::asio::any_io_executor executor_;
  const ProcessorContext& processor_;
  std::vector<std::shared_ptr<Link>> links_;
  std::size_t next_ = 0;  // round robin
};

// The match key of a message: the configured fields' values joined; a field that is
// absent counts as empty.
std::string match_key(const protocol::iso8583::Message& message, const std::vector<int>& fields);

}  // namespace paygate::gateway
