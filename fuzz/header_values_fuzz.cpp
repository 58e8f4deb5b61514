// libFuzzer target: the request header values paygate interprets — Content-Type and
// Accept (protocol/http/media_type.h), traceparent/tracestate and X-Request-Id
// (gateway/trace_context.h), Forwarded / X-Forwarded-For behind a trusted proxy
// (gateway/client_address.h). Invariants: no crash; a continued trace keeps valid ids;
// the client address is the peer or an address that parses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/client_address.h"
#include "gateway/trace_context.h"
#include "protocol/http/media_type.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paygate;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)protocol::http::is_json_content_type(input);
  (void)protocol::http::accepts_json(input);
  (void)gateway::safe_request_id(input);

  static gateway::TraceContextGenerator traces;
  const auto half = input.size() / 2;
  const auto t = traces.continue_or_start(input.substr(0, half), input.substr(half));
  if (t.trace_id.size() != 32 || t.span_id.size() != 16 || t.tracestate.size() > 512) __builtin_trap();

  static const std::vector<config::AddressBlock> trusted{*config::parse_address_block("10.0.0.0/8"),
                                                         *config::parse_address_block("2001:db8::/32")};
  const std::string who = gateway::client_address("10.0.0.5", input.substr(0, half), input.substr(half), trusted);
  if (who != "10.0.0.5" && !config::parse_address_block(who)) __builtin_trap();
  (void)config::parse_address_block(input);
  return 0;
}
