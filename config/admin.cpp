// admin: the admin listener's address and its (always mutual) TLS.
#include "config/internal/sections.h"

namespace paygate::config::internal {

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
  }
  a.finish();
  return admin;
}

}  // namespace paygate::config::internal
