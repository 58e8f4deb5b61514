// libFuzzer target: the field-path parser, and applying a parsed path to a fixed message.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/payment/field_path.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string error;
  auto path = paygate::protocol::FieldPath::parse(std::string_view(reinterpret_cast<const char*>(data), size), error);
  if (!path) {
    if (error.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  static const boost::json::value message = boost::json::parse(
      R"({"card":{"number":"4111111111111111","cvv":"123"},"items":[{"pan":"1"},{"pan":"2","x":[1,2,3]}],"amount":{"value":1000}})");
  boost::json::value copy = message;
  int calls = 0;
  paygate::protocol::apply(*path, copy, [&](boost::json::value&, const std::string& where) {
    if (where.empty() || where[0] != '$') __builtin_trap();
    return ++calls % 2 ? paygate::protocol::Visit::keep : paygate::protocol::Visit::remove;
  });
  return 0;
}
