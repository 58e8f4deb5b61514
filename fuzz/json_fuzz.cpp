// libFuzzer target: bounded JSON decoding and validation of merchant messages. Every input is either a
// value or a problem with a path; a problem's path never holds input bytes beyond keys.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/payment/json_decode.h"
#include "protocol/payment/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto result = paygate::protocol::decode_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (const auto* problem = std::get_if<paygate::protocol::JsonProblem>(&result)) {
    if (problem->code.empty() || problem->path.empty() || problem->path[0] != '$') __builtin_trap();
    return 0;
  }
  // Decoded: every message kind's rules run, and each issue names a path.
  const auto& value = std::get<boost::json::value>(result);
  for (auto kind : {paygate::protocol::MessageKind::authorization, paygate::protocol::MessageKind::capture,
                    paygate::protocol::MessageKind::cancel, paygate::protocol::MessageKind::token_only}) {
    for (const auto& issue : paygate::protocol::validate_message(kind, value, {})) {
      if (issue.path.empty() || issue.path[0] != '$' || issue.code.empty()) __builtin_trap();
    }
  }
  return 0;
}
