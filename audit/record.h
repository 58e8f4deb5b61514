// Audit records: one JSON object per line, chained by HMAC-SHA256.
//
//   {"seq":42,"time":"2026-11-29T23:30:00.123Z","kid":"audit-1","type":"detokenize",...,"mac":"<64 hex>"}
//
// The MAC covers the previous record's MAC and this record's canonical bytes: the line
// without its `,"mac":"…"` member (so a verifier checks the exact bytes written, with no
// re-serialization). Values are whatever an event carries; none may hold a card number
// (the writer checks every record with the PAN scanner before sealing it).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <iterator>
#include <type_traits>
#include <string>
#include <string_view>

#include "crypto/chain_mac.h"

namespace paygate::audit {

// What happened, before the log numbers, dates and seals it: the event's type and its
// members, written straight into JSON text as they are added (no tree, one buffer), in
// the order added. Each key once; the envelope's own keys (seq, time, kid, type, mac) are
// ignored. Building an event is the only audit work a network thread does, so it is
// flat on purpose (issue #21: a JSON object per record cost ~30 allocations).
class AuditEvent {
 public:
  explicit AuditEvent(std::string event_type) : type(std::move(event_type)) { members_.reserve(512); }

  AuditEvent& with(std::string_view key, std::string_view text);
  AuditEvent& with(std::string_view key, const std::string& text) { return with(key, std::string_view(text)); }
  AuditEvent& with(std::string_view key, const char* text) { return with(key, std::string_view(text)); }
  // Null when empty-handed.
  AuditEvent& with(std::string_view key, std::optional<std::string_view> text);
  AuditEvent& with(std::string_view key, std::nullptr_t);
  AuditEvent& with(std::string_view key, bool flag);
  template <class Integer>
    requires(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>)
  AuditEvent& with(std::string_view key, Integer number) {
    if constexpr (std::is_signed_v<Integer>) return with_signed(key, number);
    else return with_unsigned(key, number);
  }
  template <class Integer>
    requires(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>)
  AuditEvent& with(std::string_view key, std::optional<Integer> number) {
    if (!number) return with(key, nullptr);
    return with(key, *number);
  }
  // Any JSON (objects, arrays, doubles), serialized by Boost.JSON.
  AuditEvent& with(std::string_view key, const boost::json::value& value);
  // An array of strings.
  template <class Strings>
    requires requires(const Strings& s) { std::string_view(*std::begin(s)); }
  AuditEvent& with_strings(std::string_view key, const Strings& strings) {
    if (!begin_member(key)) return *this;
    members_ += '[';
    bool first = true;
    for (const auto& s : strings) {
      if (!first) members_ += ',';
      first = false;
      append_json_string(std::string_view(s), members_);
    }
    members_ += ']';
    return *this;
  }

  std::string type;
  // The members as JSON text: `,"key":value` each, in order.
  const std::string& members() const { return members_; }
  // The members parsed back (tests and tools; not for the request path).
  boost::json::object object() const;
  // Replaces every member (the writer's redaction of a record that held a card number).
  void replace_members(std::string members) { members_ = std::move(members); }

  // JSON string syntax for `text` (quotes included), as Boost.JSON writes it.
  static void append_json_string(std::string_view text, std::string& out);

 private:
  bool begin_member(std::string_view key);  // false for an envelope key
  AuditEvent& with_signed(std::string_view key, std::int64_t number);
  AuditEvent& with_unsigned(std::string_view key, std::uint64_t number);
  std::string members_;
};

inline constexpr std::size_t mac_hex_length = 64;

// Seals `event` as record `seq` chained to `previous`: appends the line (with '\n') to
// `out` and sets `previous` to the new MAC.
void seal_record(const crypto::ChainMac& mac, crypto::ChainTag& previous, std::uint64_t seq, std::string_view time,
                 const AuditEvent& event, std::string& out);

// A line read back (without its '\n').
struct ParsedRecord {
  std::uint64_t seq = 0;
  std::string key_id;
  std::string type;
  boost::json::object object;  // every member, "mac" included
  std::string canonical;       // the bytes the MAC covers
  crypto::ChainTag tag{};
};

// Empty when the line is not a well-formed record (not JSON, members missing, a MAC
// that is not 64 hex digits, or one that is not the last member).
std::optional<ParsedRecord> parse_record(std::string_view line);

// UTC, millisecond precision: "2026-11-29T23:30:00.123Z".
std::string utc_timestamp_now();

std::string tag_hex(const crypto::ChainTag& tag);
std::optional<crypto::ChainTag> tag_from_hex(std::string_view hex);

}  // namespace paygate::audit
