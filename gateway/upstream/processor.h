// What one configuration knows of a processor, shared by every network thread's upstream
// to it: its config, its TLS client context, its Host header and its circuit breaker.
// Immutable apart from the breaker (which locks itself).
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "gateway/upstream/circuit_breaker.h"

namespace boost::asio::ssl {
class context;
}

namespace paygate::gateway {

struct ProcessorContext {
  const config::Processor* config = nullptr;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null only in unit tests (doubles need none)
  std::string host_header;                         // Host header value sent to an HTTPS processor
  std::shared_ptr<CircuitBreaker> breaker;         // the one mutable part: shared by every thread
};

}  // namespace paygate::gateway
