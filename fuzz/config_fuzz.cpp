// libFuzzer target: the configuration loader. Any input must give either a Config or a
// list of errors with positions — never a crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view yaml(reinterpret_cast<const char*>(data), size);
  auto result = paygate::config::load_from_string(yaml, "/fuzz/paygate.yaml");
  if (result.ok() == !result.errors.empty()) __builtin_trap();  // exactly one of the two
  for (const auto& e : result.errors) {
    if (e.to_string().empty()) __builtin_trap();
  }
  return 0;
}
