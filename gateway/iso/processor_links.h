// Long-lived, multiplexed TLS links from one network thread to one ISO 8583 processor.
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
#include "gateway/upstream_pool.h"
#include "protocol/iso8583/message.h"

namespace paygate::gateway {

enum class LinkFault {
  none,
  unavailable,  // no link is up (connecting, backing off)
  timeout,      // no answer within the response timeout
  link_dropped, // the link broke while the request was in flight
  duplicate,    // a request with the same match key is already in flight on every link
};
std::string_view to_string(LinkFault fault);

class ProcessorLinks {
 public:
  // `links`: this thread's number of links. Starts connecting at once.
  ProcessorLinks(net::asio::any_io_executor executor, const ProcessorContext& processor, std::uint32_t links,
                 Metrics::ProcessorCounters& counters);
  ~ProcessorLinks();  // closes every link; pending requests end as link_dropped
  ProcessorLinks(const ProcessorLinks&) = delete;
  ProcessorLinks& operator=(const ProcessorLinks&) = delete;

  struct Result {
    LinkFault fault = LinkFault::none;
    protocol::iso8583::Message answer;  // valid when fault == none
  };
  net::asio::awaitable<Result> exchange(const protocol::iso8583::Message& request);


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
