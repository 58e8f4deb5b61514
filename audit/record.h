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
#include <string>
#include <string_view>

#include "crypto/chain_mac.h"

namespace paygate::audit {

// What happened, before the log numbers, dates and seals it. Fields keep their order.
struct AuditEvent {
  std::string type;
  boost::json::object fields;

  explicit AuditEvent(std::string event_type) : type(std::move(event_type)) { fields.reserve(24); }
  AuditEvent& with(std::string_view key, boost::json::value value) {
    fields[key] = std::move(value);
    return *this;
  }
  // Text is copied once, straight into the record.
  AuditEvent& with(std::string_view key, std::string_view text) {
    return with(key, boost::json::value(boost::json::string_view(text.data(), text.size())));
  }
  AuditEvent& with(std::string_view key, const std::string& text) { return with(key, std::string_view(text)); }
  AuditEvent& with(std::string_view key, const char* text) { return with(key, std::string_view(text)); }
};

inline constexpr std::size_t mac_hex_length = 64;

// Seals `event` as record `seq` chained to `previous`; returns the line (with '\n') and
// sets `previous` to the new MAC.
std::string seal_record(const crypto::ChainMac& mac, crypto::ChainTag& previous, std::uint64_t seq,
                        std::string_view time, const AuditEvent& event);

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
