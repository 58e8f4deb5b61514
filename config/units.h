// Parsers for the value syntaxes a config file uses: durations, byte sizes, host:port.
// Pure functions; each returns nullopt for anything it does not accept exactly.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace paygate::config {

// "250ms", "5s", "2m", "1h". A unit is required; the value must fit in 24 days.
std::optional<Duration> parse_duration(std::string_view text);

// "512", "512B", "64KiB", "16MiB", "1GiB" (IEC units, powers of 1024).
std::optional<std::uint64_t> parse_size(std::string_view text);

// "host:port", "[v6]:port". Port 0..65535 (0 = any free port).
std::optional<Endpoint> parse_endpoint(std::string_view text);

// "localhost", 127.0.0.0/8 or ::1: a host whose traffic never leaves the machine.
bool is_loopback_host(const std::string& host);

// An address or a CIDR block ("10.0.0.0/8", "192.0.2.7", "2001:db8::/32"), for the
// proxies a listener trusts.
struct AddressBlock {
  std::array<std::uint8_t, 16> bytes{};
  unsigned prefix = 0;  // bits that must match
  bool v4 = false;
  // Whether `ip` (text, IPv4 or IPv6; an IPv4-mapped IPv6 counts as IPv4) is inside.
  bool contains(std::string_view ip) const;
};
std::optional<AddressBlock> parse_address_block(std::string_view text);

// Levenshtein distance, for did-you-mean suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace paygate::config
