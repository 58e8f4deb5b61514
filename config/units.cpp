#include "config/units.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <vector>

namespace paygate::config {
namespace {

// Splits "123unit" into its leading decimal number and the rest.
std::optional<std::pair<std::uint64_t, std::string_view>> split_number(std::string_view text) {
  std::uint64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc{} || ptr == begin) return std::nullopt;
  return std::pair{value, text.substr(static_cast<std::size_t>(ptr - begin))};
}

std::optional<std::uint64_t> checked_multiply(std::uint64_t value, std::uint64_t factor,
                                              std::uint64_t limit) {
  if (value > limit / factor) return std::nullopt;
  return value * factor;
}

}  // namespace

std::string Endpoint::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Duration> parse_duration(std::string_view text) {
  auto parts = split_number(text);
  if (!parts) return std::nullopt;
  auto [value, unit] = *parts;
  std::uint64_t factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "m")
    factor = 60 * 1000;
  else if (unit == "h")
    factor = 60 * 60 * 1000;
  else
    return std::nullopt;
  // Bounded so that timers and arithmetic on deadlines can never overflow.
  constexpr std::uint64_t max_ms = 24ull * 24 * 60 * 60 * 1000;
  auto ms = checked_multiply(value, factor, max_ms);
  if (!ms) return std::nullopt;
  return Duration{static_cast<Duration::rep>(*ms)};
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  auto parts = split_number(text);
  if (!parts) return std::nullopt;
  auto [value, unit] = *parts;
  std::uint64_t factor = 0;
  if (unit.empty() || unit == "B")
    factor = 1;
  else if (unit == "KiB")
    factor = 1ull << 10;
  else if (unit == "MiB")
    factor = 1ull << 20;
  else if (unit == "GiB")
    factor = 1ull << 30;
  else
    return std::nullopt;
  return checked_multiply(value, factor, std::numeric_limits<std::uint64_t>::max());
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // bare IPv6
  }
  if (host.empty() || port_text.empty()) return std::nullopt;
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port > 65535) return std::nullopt;
  return Endpoint{std::string(host), static_cast<std::uint16_t>(port)};
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
}

namespace {

// Text to 16 bytes (IPv4 as IPv4-mapped IPv6); false when not an address.
bool address_bytes(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v4) {
  // inet_pton reads a C string: a NUL inside would hide what follows it.
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) return false;
  const std::string s(text);
  in_addr a4{};
  if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    out = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    std::memcpy(out.data() + 12, &a4, 4);
    v4 = true;
    return true;
  }
  in6_addr a6{};
  if (::inet_pton(AF_INET6, s.c_str(), &a6) != 1) return false;
  std::memcpy(out.data(), &a6, 16);
  static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  v4 = std::memcmp(out.data(), mapped, 12) == 0;
  return true;
}

}  // namespace

std::optional<AddressBlock> parse_address_block(std::string_view text) {
  AddressBlock b;
  const auto slash = text.find('/');
  if (!address_bytes(text.substr(0, slash), b.bytes, b.v4)) return std::nullopt;
  const unsigned max = b.v4 ? 32 : 128;
  b.prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view bits = text.substr(slash + 1);
    unsigned n = 0;
    const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), n);
    if (ec != std::errc() || end != bits.data() + bits.size() || bits.empty() || n > max) return std::nullopt;
    b.prefix = n;
  }
  if (b.v4) b.prefix += 96;  // compared as IPv4-mapped IPv6
  return b;
}

bool AddressBlock::contains(std::string_view ip) const {
  std::array<std::uint8_t, 16> other{};
  bool other_v4 = false;
  if (!address_bytes(ip, other, other_v4) || other_v4 != v4) return false;
  const unsigned whole = prefix / 8;
  if (std::memcmp(bytes.data(), other.data(), whole) != 0) return false;
  const unsigned rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (bytes[whole] & mask) == (other[whole] & mask);
}

}  // namespace paygate::config
