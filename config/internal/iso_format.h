// Internal to config/: what ISO 8583 listeners and processors share — the message spec,
// the framing and the largest frame — and the check of a two-character response code.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "config/internal/yaml_reader.h"
#include "protocol/iso8583/framing.h"
#include "protocol/iso8583/spec.h"

namespace paygate::config::internal {

inline constexpr std::array<std::pair<std::string_view, protocol::iso8583::Framing>, 3> framings{{
    {"binary2", protocol::iso8583::Framing::binary2},
    {"bcd2", protocol::iso8583::Framing::bcd2},
    {"ascii4", protocol::iso8583::Framing::ascii4},
}};

// `spec:` a shipped spec's name or a spec file (relative to the config file). Its own
// errors are reported with their file:line.
std::shared_ptr<const protocol::iso8583::MessageSpec> read_spec(MapReader& r, std::string& name,
                                                                Context& ctx);

// Two letters or digits, e.g. "30".
bool response_code(const std::string& code);

// spec, framing and max_frame: how messages look on a connection, either side.
template <class IsoSection>
void read_iso_format(MapReader& r, IsoSection& iso, Context& ctx) {
  iso.spec = read_spec(r, iso.spec_name, ctx);
  r.choice<protocol::iso8583::Framing>("framing", iso.framing, framings);
  std::uint64_t max_frame = iso.max_frame;
  if (r.size("max_frame", max_frame, 64, protocol::iso8583::max_frame(iso.framing)))
    iso.max_frame = max_frame;
}

}  // namespace paygate::config::internal
