// Operational logging for paygate: spdlog underneath, text or JSON lines by config.
//
// Nothing here may carry a request body, a header value supplied by a merchant, or any
// secret: callers pass only identifiers, codes and figures. Thread-safe.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <string_view>

#include "config/config.h"

namespace paygate::log {

// Sets format and level for the whole process. Call once at start-up, before threads.
void configure(const config::Logging& logging);

void write(config::LogLevel level, std::string_view message);
bool enabled(config::LogLevel level);

template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(config::LogLevel::info)) write(config::LogLevel::info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(config::LogLevel::warn)) write(config::LogLevel::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(config::LogLevel::error)) write(config::LogLevel::error, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(config::LogLevel::debug)) write(config::LogLevel::debug, fmt::format(f, std::forward<Args>(args)...));
}

// One line per answered message, HTTPS or ISO 8583 (the fields of the other transport
// are "-"). Every field is produced by paygate itself.
struct AccessRecord {
  std::string_view request_id;
  std::string_view listener;
  std::string_view route;     // "-" when no route matched
  std::string_view method;    // one of the known methods, or "-"
  unsigned status = 0;
  std::uint64_t bytes_in = 0;   // request body bytes
  std::uint64_t bytes_out = 0;  // answer body bytes
  std::chrono::microseconds latency{0};
  std::string_view merchant;  // "-" until merchants are identified
  std::string_view upstream;  // processor outcome code, "-" when not forwarded
  std::string_view mti = "-";            // ISO 8583: the request's MTI
  std::string_view response_code = "-";  // ISO 8583: DE 39 sent; HTTPS: the processor's code
  std::string_view client_ip = "-";      // the TCP peer, or the client a trusted proxy named
  std::string_view trace_id = "-";       // HTTPS: the W3C trace id
  // The merchant's reference (validated printable, never a card number); "" when none.
  // The one field a merchant chose: always written quoted (JSON string rules).
  std::string_view merchant_reference;
};

void access(const AccessRecord& record);

// Flushes pending lines (at shutdown).
void flush();

}  // namespace paygate::log
