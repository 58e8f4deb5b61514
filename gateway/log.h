// Operational logging for paygate: spdlog underneath, text or JSON lines by config.
//
// Nothing here may carry a request body, a header value supplied by a merchant, or any
// secret: callers pass only identifiers, codes and figures. Thread-safe.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <string_view>

#include "config/config.h"

namespace paygate::log {

// Sets format and level for the whole process. Call once at start-up, before threads.
void configure(const config::Logging& logging);

// One field of an event: a name paygate chose and a value paygate produced. Numbers and
// booleans stay JSON literals; everything else is a JSON string. A Field lives only for
// the log call that names it (text values are views of the caller's arguments), and
// making one allocates nothing — fields of a disabled level cost next to nothing.
class Field {
 public:
  Field(std::string_view key, std::string_view value) : key_(key), text_(value) {}
  Field(std::string_view key, const std::string& value) : key_(key), text_(value) {}
  Field(std::string_view key, const char* value) : key_(key), text_(value) {}
  Field(std::string_view key, bool value) : key_(key), text_(value ? "true" : "false"), literal_(true) {}
  template <class T>
    requires std::is_arithmetic_v<T>
  Field(std::string_view key, T value) : key_(key), literal_(true) {
    const auto written = fmt::format_to_n(number_.data(), number_.size(), "{}", value);
    number_size_ = static_cast<std::uint8_t>(std::min(written.size, number_.size()));
  }

  std::string_view key() const { return key_; }
  std::string_view value() const { return number_size_ ? std::string_view(number_.data(), number_size_) : text_; }
  bool literal() const { return literal_; }

 private:
  std::string_view key_;
  std::string_view text_;
  std::array<char, 32> number_{};  // a number's digits, formatted in place
  std::uint8_t number_size_ = 0;
  bool literal_ = false;
};

// One event: text format "<ts> <level> <name> key=value ...", JSON format
// {"ts":...,"level":...,"event":<name>,"key":value,...}. Level words are the config's
// (trace, debug, info, warn, error) in both.
void event(config::LogLevel level, std::string_view name, std::initializer_list<Field> fields);
bool enabled(config::LogLevel level);

inline void info(std::string_view name, std::initializer_list<Field> fields = {}) {
  if (enabled(config::LogLevel::info)) event(config::LogLevel::info, name, fields);
}
inline void warn(std::string_view name, std::initializer_list<Field> fields = {}) {
  if (enabled(config::LogLevel::warn)) event(config::LogLevel::warn, name, fields);
}
inline void error(std::string_view name, std::initializer_list<Field> fields = {}) {
  if (enabled(config::LogLevel::error)) event(config::LogLevel::error, name, fields);
}
inline void debug(std::string_view name, std::initializer_list<Field> fields = {}) {
  if (enabled(config::LogLevel::debug)) event(config::LogLevel::debug, name, fields);
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
