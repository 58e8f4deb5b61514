#include "gateway/client_address.h"

#include <algorithm>

#include "protocol/http/field_value.h"

namespace paygate::gateway {
namespace {

bool trusted_address(std::string_view ip, const std::vector<config::AddressBlock>& trusted) {
  return std::any_of(trusted.begin(), trusted.end(), [&](const config::AddressBlock& b) { return b.contains(ip); });
}

// An address as a forwarding header writes it: "192.0.2.1", "192.0.2.1:4711",
// "[2001:db8::1]:4711", "\"[2001:db8::1]\"" (Forwarded quotes IPv6). Empty when it is
// none (an obfuscated "_hidden", "unknown", or anything that is not an address: what is
// returned goes to logs and audit records, so it is always a parsed address).
std::string_view bare_address(std::string_view v) {
  v = protocol::http::trim_ows(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (!v.empty() && v.front() == '[') {
    const auto close = v.find(']');
    v = close == std::string_view::npos ? std::string_view() : v.substr(1, close - 1);
  } else if (std::count(v.begin(), v.end(), ':') == 1) {
    v = v.substr(0, v.find(':'));  // IPv4 with a port
  }
  return config::parse_address_block(v) && v.find('/') == std::string_view::npos ? v : std::string_view();
}

// The addresses a header lists, in order (client first).
std::vector<std::string_view> listed(std::string_view forwarded, std::string_view x_forwarded_for) {
  std::vector<std::string_view> out;
  const bool use_forwarded = !protocol::http::trim_ows(forwarded).empty();
  std::string_view rest = use_forwarded ? forwarded : x_forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view element = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (use_forwarded) {
      std::string_view address;  // the element's for= parameter
      while (!element.empty()) {
        const auto semi = element.find(';');
        const std::string_view pair = protocol::http::trim_ows(element.substr(0, semi));
        element = semi == std::string_view::npos ? std::string_view() : element.substr(semi + 1);
        if (pair.size() > 4 && protocol::http::iequals(pair.substr(0, 4), "for="))
          address = pair.substr(4);
      }
      element = address;
    }
    out.push_back(bare_address(element));
  }
  return out;
}

}  // namespace

std::string client_address(std::string_view peer, std::string_view forwarded, std::string_view x_forwarded_for,
                           const std::vector<config::AddressBlock>& trusted) {
  if (trusted.empty() || !trusted_address(peer, trusted)) return std::string(peer);
  const auto hops = listed(forwarded, x_forwarded_for);
  // From the nearest hop outwards: the first address that is not a trusted proxy is the
  // client. A hop that names no address ends the walk (nothing beyond it is known).
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (it->empty()) break;
    if (!trusted_address(*it, trusted)) return std::string(*it);
    if (std::next(it) == hops.rend()) return std::string(*it);  // every hop trusted: the farthest
  }
  return std::string(peer);
}

}  // namespace paygate::gateway
