// libFuzzer target: bounded JSON decoding of merchant messages. Every input is either a
// value or a problem with a path; a problem's path never holds input bytes beyond keys.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/payment/json_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto result = paygate::protocol::decode_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (const auto* problem = std::get_if<paygate::protocol::JsonProblem>(&result)) {
    if (problem->code.empty() || problem->path.empty() || problem->path[0] != '$') __builtin_trap();
  }
  return 0;
}
