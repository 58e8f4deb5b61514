// The seam between the payment flow and a processor: one Upstream per processor and
// network thread, whatever the processor speaks — an HTTPS keep-alive pool
// (upstream/https_pool.h) or multiplexed ISO 8583 links (upstream/iso_links.h). The
// flow talks to it through the ProcessorClient (upstream/processor_client.h), which
// owns the circuit breaker, the retry rule and the fault metrics.
//
// Messages cross the seam as plain structs: no Beast or Asio types in this header.
// Upstreams run on their network thread only; nothing here takes a lock.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/iso8583/message.h"

namespace paygate::gateway {

// Why an exchange with a processor failed.
enum class UpstreamFault {
  none,
  busy,              // too many requests already waiting for a connection
  queue_timeout,     // waited for a free connection past the connect timeout
  connect_failed,    // refused, unreachable, TLS handshake or verification
  connect_timeout,   // TCP connect + TLS handshake too slow
  unavailable,       // ISO 8583: no link came up within the connect timeout
  reset,             // the connection broke while writing or reading
  bad_answer,        // not a valid answer (HTTP/1.1 framing)
  answer_too_large,  // answer body over the processor's max_response
  timeout,           // no complete answer within the response timeout
  link_dropped,      // ISO 8583: the link broke while the request was in flight
  duplicate,         // ISO 8583: a request with the same match key is already in flight
  breaker_open,      // the processor's circuit breaker is open: not contacted
};
inline constexpr std::size_t upstream_fault_count = 13;

// Stable lower-case name, for logs, metrics and audit records.
std::string_view to_string(UpstreamFault fault);

// The processor cannot have seen the request: it never left paygate.
bool never_sent(UpstreamFault fault);

// An HTTP/1.1 request to an HTTPS processor. The pool adds Host and keep-alive.
struct HttpRequestOut {
  std::string method;  // upper case
  std::string target;  // path and query, starting with '/'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpAnswerIn {
  unsigned status = 0;
  std::string content_type;  // empty when the processor sent none
  std::string body;
};

struct UpstreamRequest {
  std::variant<HttpRequestOut, protocol::iso8583::Message> message;
};

struct UpstreamAnswer {
  UpstreamFault fault = UpstreamFault::none;
  std::variant<std::monostate, HttpAnswerIn, protocol::iso8583::Message> message;  // set when fault == none
};

class Upstream {
 public:
  virtual ~Upstream() = default;
  // One exchange under the processor's timeouts. Never throws: the fault says what
  // failed. The request must match the processor's kind (HTTP or ISO 8583).
  virtual boost::asio::awaitable<UpstreamAnswer> exchange(const UpstreamRequest& request) = 0;
};

}  // namespace paygate::gateway
