#include "audit/record.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace paygate::audit {
namespace {

constexpr std::string_view mac_prefix = ",\"mac\":\"";
constexpr std::size_t suffix_length = mac_prefix.size() + mac_hex_length + 2;  // ,"mac":"<hex>"}

template <class Number>
void append_number(std::string& out, Number number) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, number).ptr);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string tag_hex(const crypto::ChainTag& tag) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(mac_hex_length);
  for (std::uint8_t b : tag) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::optional<crypto::ChainTag> tag_from_hex(std::string_view hex) {
  if (hex.size() != mac_hex_length) return std::nullopt;
  crypto::ChainTag tag{};
  for (std::size_t i = 0; i < tag.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    tag[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return tag;
}

std::string utc_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return text;
}

void AuditEvent::append_json_string(std::string_view text, std::string& out) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // characters copied as they are, in one append
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    out += '\\';
    switch (c) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '\b': out += 'b'; break;
      case '\f': out += 'f'; break;
      case '\n': out += 'n'; break;
      case '\r': out += 'r'; break;
      case '\t': out += 't'; break;
      default:
        out += "u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

bool AuditEvent::begin_member(std::string_view key) {
  // The envelope's own members cannot be overridden by an event.
  if (key == "seq" || key == "time" || key == "kid" || key == "type" || key == "mac") return false;
  members_ += ',';
  append_json_string(key, members_);
  members_ += ':';
  return true;
}

AuditEvent& AuditEvent::with(std::string_view key, std::string_view text) {
  if (begin_member(key)) append_json_string(text, members_);
  return *this;
}

AuditEvent& AuditEvent::with(std::string_view key, std::optional<std::string_view> text) {
  if (!text) return with(key, nullptr);
  return with(key, *text);
}

AuditEvent& AuditEvent::with(std::string_view key, std::nullptr_t) {
  if (begin_member(key)) members_ += "null";
  return *this;
}

AuditEvent& AuditEvent::with(std::string_view key, bool flag) {
  if (begin_member(key)) members_ += flag ? "true" : "false";
  return *this;
}

AuditEvent& AuditEvent::with_signed(std::string_view key, std::int64_t number) {
  if (begin_member(key)) append_number(members_, number);
  return *this;
}

AuditEvent& AuditEvent::with_unsigned(std::string_view key, std::uint64_t number) {
  if (begin_member(key)) append_number(members_, number);
  return *this;
}

AuditEvent& AuditEvent::with(std::string_view key, const boost::json::value& value) {
  if (begin_member(key)) members_ += boost::json::serialize(value);
  return *this;
}

boost::json::object AuditEvent::object() const {
  std::string text = "{";
  if (!members_.empty()) text.append(members_, 1);  // without the first member's comma
  text += '}';
  return boost::json::parse(text).as_object();
}

void seal_record(const crypto::ChainMac& mac, crypto::ChainTag& previous, std::uint64_t seq, std::string_view time,
                 const AuditEvent& event, std::string& out) {
  const std::size_t start = out.size();
  out += "{\"seq\":";
  append_number(out, seq);
  out += ",\"time\":";
  AuditEvent::append_json_string(time, out);
  out += ",\"kid\":";
  AuditEvent::append_json_string(mac.key_id(), out);
  out += ",\"type\":";
  AuditEvent::append_json_string(event.type, out);
  out += event.members();
  out += '}';
  previous = mac.compute(previous, std::string_view(out).substr(start));
  out.pop_back();  // the closing brace: the MAC member goes last
  out += mac_prefix;
  static constexpr char hex[] = "0123456789abcdef";
  for (std::uint8_t b : previous) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  out += "\"}\n";
}

std::optional<ParsedRecord> parse_record(std::string_view line) {
  if (line.size() < suffix_length + 2 || line.substr(line.size() - 2) != "\"}") return std::nullopt;
  const std::size_t suffix_at = line.size() - suffix_length;
  if (line.substr(suffix_at, mac_prefix.size()) != mac_prefix) return std::nullopt;
  auto tag = tag_from_hex(line.substr(suffix_at + mac_prefix.size(), mac_hex_length));
  if (!tag) return std::nullopt;
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(boost::json::string_view(line.data(), line.size()), ec);
  if (ec || !value.is_object()) return std::nullopt;
  ParsedRecord r;
  r.object = std::move(value.get_object());
  const auto* seq = r.object.if_contains("seq");
  const auto* kid = r.object.if_contains("kid");
  const auto* type = r.object.if_contains("type");
  if (!seq || !kid || !type || !kid->is_string() || !type->is_string()) return std::nullopt;
  if (seq->is_uint64()) r.seq = seq->get_uint64();
  else if (seq->is_int64() && seq->get_int64() > 0) r.seq = static_cast<std::uint64_t>(seq->get_int64());
  else return std::nullopt;
  r.key_id = std::string(kid->get_string());
  r.type = std::string(type->get_string());
  r.tag = *tag;
  r.canonical = std::string(line.substr(0, suffix_at)) + "}";
  return r;
}

}  // namespace paygate::audit
