// Parsers for the value syntaxes a config file uses: durations, byte sizes, host:port.
// Pure functions; each returns nullopt for anything it does not accept exactly.
#pragma once

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

// Levenshtein distance, for did-you-mean suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace paygate::config
