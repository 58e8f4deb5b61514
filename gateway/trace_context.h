// W3C Trace Context (traceparent, tracestate) for one HTTPS request: the caller's trace
// is continued with paygate's own span id, or a new trace begins; the processor gets the
// trace with paygate's span as its parent. Also the caller's X-Request-Id, when it is a
// safe token. Not thread-safe (one generator per network thread).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace paygate::gateway {

struct TraceContext {
  std::string trace_id;    // 32 lowercase hex
  std::string span_id;     // 16 lowercase hex: paygate's span for this request
  std::string flags = "01";
  std::string tracestate;  // passed on as received (when valid), else empty

  // "00-<trace id>-<span id>-<flags>": what the processor receives.
  std::string traceparent() const;
};

class TraceContextGenerator {
 public:
  TraceContextGenerator();
  // Continues a valid `traceparent` (version 00, or a later version read as 00; non-zero
  // ids; lowercase hex) with a new span id, keeping `tracestate` when it is at most 512
  // printable characters; else starts a new trace (and drops tracestate, as the spec says).
  TraceContext continue_or_start(std::string_view traceparent, std::string_view tracestate);

 private:
  std::string random_hex(std::size_t bytes);
  std::mt19937_64 random_;
};

// The caller's X-Request-Id when it is 1-64 of A-Z a-z 0-9 . _ - (safe in logs, records
// and headers), else nullopt.
std::optional<std::string_view> safe_request_id(std::string_view header);

}  // namespace paygate::gateway
