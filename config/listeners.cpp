// listeners: address, kind, TLS, limits and the ISO 8583 settings of each listener.
#include "config/internal/sections.h"

#include <array>

#include "config/internal/iso_format.h"

namespace paygate::config::internal {
namespace {

constexpr std::array<std::pair<std::string_view, ListenerKind>, 2> listener_kinds{{
    {"https", ListenerKind::https},
    {"iso8583", ListenerKind::iso8583},
}};

IsoListener read_iso_listener(const YAML::Node& node, const std::string& path, Context& ctx) {
  IsoListener iso;
  MapReader r(node, path, ctx);
  read_iso_format(r, iso, ctx);
  r.count("max_in_flight", iso.max_in_flight, 1, 100'000);
  r.count("max_write_queue", iso.max_write_queue, 1, 100'000);
  r.duration("max_age", iso.max_age, Duration{1000}, one_day * 30);
  if (r.string("format_error_code", iso.format_error_code) && !response_code(iso.format_error_code)) {
    r.error_at("format_error_code", "expected a two-character response code such as \"30\"");
  }
  if (r.string("duplicate_code", iso.duplicate_code) && !response_code(iso.duplicate_code)) {
    r.error_at("duplicate_code", "expected a two-character response code such as \"94\"");
  }
  r.finish();
  return iso;
}

}  // namespace

ServerTls read_server_tls(const YAML::Node& node, const std::string& path, Context& ctx) {
  ServerTls tls;
  MapReader r(node, path, ctx);
  r.file("certificate", tls.certificate, FileRule::trusted, Presence::required);
  r.file("private_key", tls.private_key, FileRule::private_key, Presence::required);
  std::filesystem::path ca;
  if (r.file("client_ca", ca, FileRule::trusted)) tls.client_ca = ca;
  bool require_present = r.boolean("require_client_certificate", tls.require_client_certificate);
  if (require_present && tls.require_client_certificate && !tls.client_ca) {
    r.error_at("require_client_certificate", "needs client_ca to verify client certificates against");
  }
  std::filesystem::path crl;
  if (r.file("client_crl", crl, FileRule::trusted)) {
    tls.client_crl = crl;
    if (!tls.client_ca)
      r.error_at("client_crl", "needs client_ca: revocation applies to verified client certificates");
  }
  r.finish();
  return tls;
}

ListenerLimits read_limits(const YAML::Node& node, const std::string& path, Context& ctx) {
  ListenerLimits l;
  MapReader r(node, path, ctx);
  r.size("max_body", l.max_body, 0, 64ull << 20);
  r.size("max_header", l.max_header, 1024, 1ull << 20);
  r.duration("header_timeout", l.header_timeout, one_ms, one_day);
  r.duration("body_timeout", l.body_timeout, one_ms, one_day);
  r.duration("idle_timeout", l.idle_timeout, one_ms, one_day);
  r.duration("write_timeout", l.write_timeout, one_ms, one_day);
  r.count("max_connections", l.max_connections, 1, 1'000'000);
  r.size("send_buffer", l.send_buffer, 0, 64ull << 20);
  r.finish();
  return l;
}

Listener read_listener(const YAML::Node& node, const std::string& path, Context& ctx) {
  Listener l;
  MapReader r(node, path, ctx);
  r.string("name", l.name, Presence::required);
  r.choice<ListenerKind>("kind", l.kind, listener_kinds);
  r.endpoint("address", l.address, Presence::required);
  if (auto tls = r.mapping("tls", Presence::required)) l.tls = read_server_tls(*tls, r.path_of("tls"), ctx);
  if (auto limits = r.mapping("limits")) l.limits = read_limits(*limits, r.path_of("limits"), ctx);
  if (r.duration("hsts_max_age", l.hsts_max_age, Duration{0}, one_day * 730) && l.kind != ListenerKind::https)
    r.error_at("hsts_max_age", "only for https listeners");
  r.sequence("trusted_proxies", Presence::optional, [&](const YAML::Node& item, const std::string& item_path) {
    const std::string entry = item.IsScalar() ? item.Scalar() : std::string();
    if (!parse_address_block(entry)) {
      r.error(item, item_path, "expected an IP address or CIDR block (10.0.0.0/8, 2001:db8::/32)");
      return;
    }
    l.trusted_proxies.push_back(entry);
  });
  if (!l.trusted_proxies.empty() && l.kind != ListenerKind::https) r.error_at("trusted_proxies", "only for https listeners");
  if (auto iso = r.mapping("iso8583")) {
    if (l.kind != ListenerKind::iso8583) r.error_at("iso8583", "only for listeners of kind iso8583");
    l.iso = read_iso_listener(*iso, r.path_of("iso8583"), ctx);
  } else if (l.kind == ListenerKind::iso8583) {
    r.error_at("kind", "an iso8583 listener needs an iso8583 section (spec, framing)");
  }
  r.finish();
  return l;
}

}  // namespace paygate::config::internal
