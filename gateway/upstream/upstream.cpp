#include "gateway/upstream/upstream.h"

namespace paygate::gateway {

std::string_view to_string(UpstreamFault fault) {
  switch (fault) {
    case UpstreamFault::none:
      return "none";
    case UpstreamFault::busy:
      return "busy";
    case UpstreamFault::queue_timeout:
      return "queue_timeout";
    case UpstreamFault::connect_failed:
      return "connect_failed";
    case UpstreamFault::connect_timeout:
      return "connect_timeout";
    case UpstreamFault::unavailable:
      return "unavailable";
    case UpstreamFault::reset:
      return "reset";
    case UpstreamFault::bad_answer:
      return "bad_answer";
    case UpstreamFault::answer_too_large:
      return "answer_too_large";
    case UpstreamFault::timeout:
      return "timeout";
    case UpstreamFault::link_dropped:
      return "link_dropped";
    case UpstreamFault::duplicate:
      return "duplicate";
    case UpstreamFault::breaker_open:
      return "breaker_open";
  }
  return "unknown";
}

bool never_sent(UpstreamFault fault) {
  switch (fault) {
    case UpstreamFault::busy:
    case UpstreamFault::queue_timeout:
    case UpstreamFault::connect_failed:
    case UpstreamFault::connect_timeout:
    case UpstreamFault::unavailable:
    case UpstreamFault::duplicate:
    case UpstreamFault::breaker_open:
      return true;
    default:
      return false;
  }
}

}  // namespace paygate::gateway
