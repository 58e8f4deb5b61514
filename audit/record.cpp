#include "audit/record.h"

#include <boost/json/parse.hpp>
#include <boost/json/serializer.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace paygate::audit {
namespace {

constexpr std::string_view mac_prefix = ",\"mac\":\"";
constexpr std::size_t suffix_length = mac_prefix.size() + mac_hex_length + 2;  // ,"mac":"<hex>"}

// Appends the JSON text of whatever `sr` was reset to: the record is written member by
// member into one string, with no intermediate object or per-member strings.
void append_json(boost::json::serializer& sr, std::string& out) {
  char buf[512];
  while (!sr.done()) out += sr.read(buf, sizeof buf);
}

void append_string(boost::json::serializer& sr, std::string_view text, std::string& out) {
  sr.reset(boost::json::string_view(text.data(), text.size()));
  append_json(sr, out);
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

std::string seal_record(const crypto::ChainMac& mac, crypto::ChainTag& previous, std::uint64_t seq,
                        std::string_view time, const AuditEvent& event) {
  boost::json::serializer sr;  // one for the whole record: keys, strings and values
  std::string canonical;
  canonical.reserve(1024);
  canonical += "{\"seq\":";
  canonical += std::to_string(seq);
  canonical += ",\"time\":";
  append_string(sr, time, canonical);
  canonical += ",\"kid\":";
  append_string(sr, mac.key_id(), canonical);
  canonical += ",\"type\":";
  append_string(sr, event.type, canonical);
  for (const auto& member : event.fields) {
    // The envelope's own members cannot be overridden by an event.
    if (member.key() == "seq" || member.key() == "time" || member.key() == "kid" || member.key() == "type" ||
        member.key() == "mac") {
      continue;
    }
    canonical += ',';
    append_string(sr, member.key(), canonical);
    canonical += ':';
    sr.reset(&member.value());
    append_json(sr, canonical);
  }
  canonical += '}';
  previous = mac.compute(previous, canonical);
  canonical.pop_back();  // the closing brace: the MAC member goes last
  canonical += mac_prefix;
  canonical += tag_hex(previous);
  canonical += "\"}\n";
  return canonical;
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
