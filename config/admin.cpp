// admin: the admin listener's address, its (always mutual) TLS, who is an administrator,
// and its call rate.
#include <algorithm>

#include "config/internal/sections.h"

namespace paygate::config::internal {
namespace {

bool fingerprint_entry(std::string_view entry) {
  if (!entry.starts_with("sha256:") || entry.size() != 7 + 64) return false;
  return std::all_of(entry.begin() + 7, entry.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Admin read_admin(const YAML::Node& node, Context& ctx) {
  Admin admin;
  MapReader a(node, "admin", ctx);
  admin.enabled = true;
  a.endpoint("address", admin.address);
  if (auto tls = a.mapping("tls")) {
    // Admin TLS is always mutual: whoever can reload keys must prove who they are.
    admin.tls = read_server_tls(*tls, "admin.tls", ctx);
    if (!admin.tls->client_ca) a.error_at("tls", "needs client_ca: the admin listener's TLS is mutual TLS");
    admin.tls->require_client_certificate = true;
  } else if (!is_loopback_host(admin.address.host)) {
    a.error_at("address", "without tls the admin listener binds a loopback address only (127.0.0.1 or ::1); "
                          "add tls with administrators to reach it from elsewhere");
  }
  a.sequence("administrators", Presence::optional, [&](const YAML::Node& item, const std::string& path) {
    const std::string entry = item.IsScalar() ? item.Scalar() : std::string();
    if (entry.find("://") == std::string::npos && !fingerprint_entry(entry)) {
      a.error(item, path, "expected a client certificate's SAN URI (spiffe://...) or sha256:<64 lowercase hex>");
      return;
    }
    admin.administrators.push_back(entry);
  });
  if (admin.tls && admin.administrators.empty()) {
    a.error_at("tls", "needs administrators: the SAN URIs or sha256 fingerprints of the administrators' "
                      "certificates (a certificate from the client CA alone is not an administrator)");
  }
  if (!admin.tls && !admin.administrators.empty()) {
    a.error_at("administrators", "applies to admin.tls only (on loopback, the host's users are the administrators)");
  }
  if (auto rate = a.mapping("rate_limit")) {
    MapReader r(*rate, "admin.rate_limit", ctx);
    r.count("per_second", admin.rate_per_second, 1, 1000);
    r.count("burst", admin.rate_burst, 1, 10000);
    r.finish();
  }
  a.finish();
  return admin;
}

}  // namespace paygate::config::internal
