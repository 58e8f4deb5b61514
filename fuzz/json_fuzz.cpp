// libFuzzer target: bounded JSON decoding and validation of merchant messages. Every input is either a
// value or a problem with a path; a problem's path never holds input bytes beyond keys.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "protocol/payment/json_decode.h"
#include "protocol/payment/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = paygate::protocol::decode_json(text);
  // Differential check against boost::json::parse (depth bound aside): text it rejects is
  // never decoded, and what paygate decodes is the value boost::json builds.
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::json::error_code ec;
  const boost::json::value reference = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec, {}, options);
  if (const auto* problem = std::get_if<paygate::protocol::JsonProblem>(&result)) {
    if (problem->code.empty() || problem->path.empty() || problem->path[0] != '$') __builtin_trap();
    if (problem->code == "invalid_json" && !ec) __builtin_trap();  // paygate calls valid JSON invalid
    return 0;
  }
  const auto& value = std::get<boost::json::value>(result);
  if (ec || boost::json::serialize(value) != boost::json::serialize(reference)) __builtin_trap();
  // Decoded: every message kind's rules run, and each issue names a path.
  for (auto kind : {paygate::protocol::MessageKind::authorization, paygate::protocol::MessageKind::capture,
                    paygate::protocol::MessageKind::cancel, paygate::protocol::MessageKind::token_only}) {
    for (const auto& issue : paygate::protocol::validate_message(kind, value, {})) {
      if (issue.path.empty() || issue.path[0] != '$' || issue.code.empty()) __builtin_trap();
    }
  }
  return 0;
}
