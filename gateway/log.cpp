#include "gateway/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>

#include "card/detect.h"

namespace paygate::log {
namespace {

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::trace: return spdlog::level::trace;
    case config::LogLevel::debug: return spdlog::level::debug;
    case config::LogLevel::info: return spdlog::level::info;
    case config::LogLevel::warn: return spdlog::level::warn;
    case config::LogLevel::error: return spdlog::level::err;
    case config::LogLevel::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

void append_json_escaped(std::string_view text, spdlog::memory_buf_t& out) {
  for (char c : text) {
    switch (c) {
      case '"': out.append(std::string_view("\\\"")); break;
      case '\\': out.append(std::string_view("\\\\")); break;
      case '\n': out.append(std::string_view("\\n")); break;
      case '\r': out.append(std::string_view("\\r")); break;
      case '\t': out.append(std::string_view("\\t")); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(c);
        }
    }
  }
}

// %L: the level in the configuration's words (warn, not spdlog's "warning").
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr std::string_view names[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    dest.append(names[static_cast<std::size_t>(msg.level)]);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelFlag>(); }
};

// The last line of defence: whatever a caller passed by mistake, a card number never
// leaves in a log line (the digits between the first 6 and the last 4 become '*').
class MaskingFormatter final : public spdlog::formatter {
 public:
  explicit MaskingFormatter(std::unique_ptr<spdlog::formatter> inner) : inner_(std::move(inner)) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::memory_buf_t line;
    inner_->format(msg, line);
    const std::string_view text(line.data(), line.size());
    if (card::find_pans(text).empty()) {
      dest.append(text);
      return;
    }
    dest.append(std::string_view(card::mask_pans(text)));
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<MaskingFormatter>(inner_->clone());
  }

 private:
  std::unique_ptr<spdlog::formatter> inner_;
};

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, const std::string& pattern) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(name, sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<LevelFlag>('L').set_pattern(pattern);
  logger->set_formatter(std::make_unique<MaskingFormatter>(std::move(formatter)));
  return logger;
}

struct Loggers {
  std::shared_ptr<spdlog::logger> main = make_logger("paygate", "%Y-%m-%dT%H:%M:%S.%eZ %L %v");
  std::shared_ptr<spdlog::logger> access;  // null when access logging is off
  config::LogFormat format = config::LogFormat::text;
};

Loggers& loggers() {
  static Loggers instance;
  return instance;
}

std::string json_string(std::string_view text) {
  spdlog::memory_buf_t buf;
  buf.push_back('"');
  append_json_escaped(text, buf);
  buf.push_back('"');
  return fmt::to_string(buf);
}

}  // namespace

void configure(const config::Logging& logging) {
  Loggers& l = loggers();
  l.format = logging.format;
  const bool json = logging.format == config::LogFormat::json;
  // JSON: the event's members are written by event() itself, already escaped.
  l.main = make_logger("paygate", json ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%L",%v})"
                                       : "%Y-%m-%dT%H:%M:%S.%eZ %L %v");
  l.main->set_level(to_spdlog(logging.level));
  if (logging.access_log) {
    l.access = make_logger("access", json ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"info","event":"access",%v})"
                                          : "%Y-%m-%dT%H:%M:%S.%eZ access %v");
  } else {
    l.access.reset();
  }
}

bool enabled(config::LogLevel level) { return loggers().main->should_log(to_spdlog(level)); }

void event(config::LogLevel level, std::string_view name, std::initializer_list<Field> fields) {
  Loggers& l = loggers();
  spdlog::memory_buf_t line;
  if (l.format == config::LogFormat::json) {
    line.append(std::string_view(R"("event":")"));
    append_json_escaped(name, line);
    line.push_back('"');
    for (const auto& f : fields) {
      line.append(std::string_view(",\""));
      append_json_escaped(f.key(), line);
      line.append(std::string_view("\":"));
      if (f.literal()) {
        line.append(f.value());
      } else {
        line.push_back('"');
        append_json_escaped(f.value(), line);
        line.push_back('"');
      }
    }
  } else {
    line.append(name);
    for (const auto& f : fields) {
      line.push_back(' ');
      line.append(f.key());
      line.push_back('=');
      line.append(f.value());
    }
  }
  l.main->log(to_spdlog(level), std::string_view(line.data(), line.size()));
}

void access(const AccessRecord& r) {
  Loggers& l = loggers();
  if (!l.access) return;
  const auto latency_us = static_cast<long long>(r.latency.count());
  if (l.format == config::LogFormat::json) {
    l.access->info(
        R"("request_id":{},"listener":{},"route":{},"method":{},"status":{},"bytes_in":{},)"
        R"("bytes_out":{},"latency_us":{},"merchant":{},"upstream":{},"mti":{},"response_code":{},)"
        R"("client_ip":{},"trace_id":{},"merchant_reference":{})",
        json_string(r.request_id), json_string(r.listener), json_string(r.route),
        json_string(r.method), r.status, r.bytes_in, r.bytes_out, latency_us,
        json_string(r.merchant), json_string(r.upstream), json_string(r.mti), json_string(r.response_code),
        json_string(r.client_ip), json_string(r.trace_id), json_string(r.merchant_reference));
  } else {
    l.access->info(
        "request_id={} listener={} route={} method={} status={} bytes_in={} bytes_out={} "
        "latency_us={} merchant={} upstream={} mti={} response_code={} client_ip={} trace_id={} "
        "merchant_reference={}",
        r.request_id, r.listener, r.route, r.method, r.status, r.bytes_in, r.bytes_out, latency_us,
        r.merchant, r.upstream, r.mti, r.response_code, r.client_ip, r.trace_id, json_string(r.merchant_reference));
  }
}

void flush() {
  Loggers& l = loggers();
  l.main->flush();
  if (l.access) l.access->flush();
}

}  // namespace paygate::log
