#include "protocol/iso8583/printer.h"

#include <algorithm>
#include <cstdio>

#include "card/mask.h"
#include "protocol/iso8583/tlv.h"

namespace paygate::protocol::iso8583 {
namespace {

bool sensitive(int field) {
  return std::find(sensitive_fields.begin(), sensitive_fields.end(), field) != sensitive_fields.end();
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

// The card masking rule; a DE 2 that is not all digits is hidden whole.
std::string mask_pan(std::string_view pan) {
  if (!std::all_of(pan.begin(), pan.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::string(pan.size(), '*');
  return card::mask(pan);
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string printable_field(const MessageSpec& spec, int field, std::string_view value, Masking masking) {
  const auto& f = spec.fields[static_cast<std::size_t>(field)];
  const bool binary = f && f->type == FieldType::b;
  if (masking == Masking::unmasked || !sensitive(field)) return binary ? hex(value) : std::string(value);
  switch (field) {
    case 2: return mask_pan(value);
    case 35: {
      // Track 2: PAN, separator, the rest; keep the PAN's masked form only.
      const auto sep = value.find_first_of("=Dd");
      return mask_pan(value.substr(0, sep)) + std::string(sep == std::string::npos ? 0 : value.size() - sep, '*');
    }
    case 52: return "[PIN block, " + std::to_string(value.size()) + " bytes]";
    case 55: {
      std::vector<Tlv> objects;
      std::string tags;
      if (!parse_tlv(std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()), objects)) {
        for (const auto& t : objects) {
          if (!t.padding()) tags += (tags.empty() ? "" : ",") + t.tag_hex();
        }
      }
      return "[EMV data, " + std::to_string(value.size()) + " bytes" + (tags.empty() ? "" : ", tags " + tags) + "]";
    }
    default: return std::string(value.size(), '*');
  }
}

std::string describe_text(const MessageSpec& spec, const Message& message, Masking masking) {
  std::string out = "MTI " + message.mti + "\n";
  for (const auto& [field, value] : message.fields) {
    char label[16];
    std::snprintf(label, sizeof label, "F%03d", field);
    const auto& f = spec.fields[static_cast<std::size_t>(field)];
    out += std::string(label) + " " + printable_field(spec, field, value, masking);
    if (f && !f->description.empty()) out += "  (" + f->description + ")";
    out += "\n";
  }
  return out;
}

std::string describe_json(const MessageSpec& spec, const Message& message, Masking masking) {
  std::string out = "{\"0\":\"" + json_escape(message.mti) + "\"";
  for (const auto& [field, value] : message.fields) {
    out += ",\"" + std::to_string(field) + "\":\"" + json_escape(printable_field(spec, field, value, masking)) + "\"";
  }
  return out + "}";
}

}  // namespace paygate::protocol::iso8583
