#include "gateway/trace_context.h"

#include <algorithm>

namespace paygate::gateway {
namespace {

bool lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

}  // namespace

std::string TraceContext::traceparent() const { return "00-" + trace_id + "-" + span_id + "-" + flags; }

TraceContextGenerator::TraceContextGenerator() : random_(std::random_device{}()) {}

std::string TraceContextGenerator::random_hex(std::size_t bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  while (out.size() < bytes * 2) {
    std::uint64_t r = random_();
    for (int i = 0; i < 16 && out.size() < bytes * 2; ++i, r >>= 4) out += digits[r & 0xf];
  }
  if (all_zero(out)) out.back() = '1';  // all-zero ids are invalid
  return out;
}

TraceContext TraceContextGenerator::continue_or_start(std::string_view traceparent, std::string_view tracestate) {
  TraceContext t;
  // version "-" trace-id "-" parent-id "-" flags; a later version may append "-" fields.
  const bool shaped = traceparent.size() >= 55 && traceparent[2] == '-' && traceparent[35] == '-' &&
                      traceparent[52] == '-' && (traceparent.size() == 55 || traceparent[55] == '-');
  const std::string_view version = shaped ? traceparent.substr(0, 2) : "";
  const bool valid = shaped && lower_hex(version) && version != "ff" && (version != "00" || traceparent.size() == 55) &&
                     lower_hex(traceparent.substr(3, 32)) && !all_zero(traceparent.substr(3, 32)) &&
                     lower_hex(traceparent.substr(36, 16)) && !all_zero(traceparent.substr(36, 16)) &&
                     lower_hex(traceparent.substr(53, 2));
  if (valid) {
    t.trace_id = traceparent.substr(3, 32);
    t.flags = traceparent.substr(53, 2);
    const bool state_ok = tracestate.size() <= 512 && std::all_of(tracestate.begin(), tracestate.end(), [](char c) {
                            return c >= 0x20 && c <= 0x7e;
                          });
    if (state_ok) t.tracestate = tracestate;
  } else {
    t.trace_id = random_hex(16);
  }
  t.span_id = random_hex(8);
  // A span id of sixteen decimal digits can pass for a card number (one in ~37,000 would
  // pass Luhn and a card prefix): a processor that echoes the traceparent then has its
  // answer refused by the card-number guard, and logs mask the id. Such an id gets a
  // letter in front instead (issue #21, found in the benchmarks).
  if (std::all_of(t.span_id.begin(), t.span_id.end(), [](char c) { return c >= '0' && c <= '9'; }))
    t.span_id[0] = static_cast<char>('a' + (t.span_id[0] - '0') % 6);
  return t;
}

std::optional<std::string_view> safe_request_id(std::string_view header) {
  if (header.empty() || header.size() > 64) return std::nullopt;
  const bool safe = std::all_of(header.begin(), header.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
  return safe ? std::optional<std::string_view>(header) : std::nullopt;
}

}  // namespace paygate::gateway
