// libFuzzer target: a Redis (RESP2) reply, as the fraud state's connection reads it. A
// complete reply is complete at exactly the bytes it consumed, and one byte fewer is
// incomplete (never malformed: a reply split across reads must never be refused).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fraud/resp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paygate::fraud::resp;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Reply reply;
  std::size_t consumed = 0;
  if (parse_reply(input, reply, consumed) != ParseStatus::complete) return 0;
  if (consumed == 0 || consumed > size) __builtin_trap();
  Reply again;
  std::size_t consumed_again = 0;
  if (parse_reply(input.substr(0, consumed), again, consumed_again) != ParseStatus::complete ||
      consumed_again != consumed)
    __builtin_trap();
  if (parse_reply(input.substr(0, consumed - 1), again, consumed_again) != ParseStatus::incomplete) __builtin_trap();
  return 0;
}
