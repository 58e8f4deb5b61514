// logging: format, level and the access log.
#include "config/internal/sections.h"

#include <array>

namespace paygate::config::internal {
namespace {

constexpr std::array<std::pair<std::string_view, LogFormat>, 2> log_formats{{
    {"text", LogFormat::text},
    {"json", LogFormat::json},
}};
constexpr std::array<std::pair<std::string_view, LogLevel>, 6> log_levels{{
    {"trace", LogLevel::trace},
    {"debug", LogLevel::debug},
    {"info", LogLevel::info},
    {"warn", LogLevel::warn},
    {"error", LogLevel::error},
    {"off", LogLevel::off},
}};

}  // namespace

Logging read_logging(const YAML::Node& node, Context& ctx) {
  Logging logging;
  MapReader l(node, "logging", ctx);
  l.choice<LogFormat>("format", logging.format, log_formats);
  l.choice<LogLevel>("level", logging.level, log_levels);
  l.boolean("access_log", logging.access_log);
  l.finish();
  return logging;
}

}  // namespace paygate::config::internal
