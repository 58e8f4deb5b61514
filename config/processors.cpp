// processors: URL, TLS, timeouts, pool, breaker, JWE keys and the ISO 8583 link settings.
#include "config/internal/sections.h"

#include <algorithm>

#include "config/internal/iso_format.h"
#include "crypto/jose_key.h"

namespace paygate::config::internal {
namespace {

IsoProcessor read_iso_processor(const YAML::Node& node, const std::string& path, Context& ctx) {
  IsoProcessor iso;
  MapReader r(node, path, ctx);
  read_iso_format(r, iso, ctx);
  r.count("links", iso.links, 1, 1000);
  if (auto match = r.sequence("match", Presence::optional, [&](const YAML::Node&, const std::string&) {})) {
    iso.match_fields.clear();
    const YAML::Node seq = node["match"];
    for (std::size_t i = 0; i < seq.size(); ++i) {
      int field = 0;
      try {
        field = seq[i].as<int>();
      } catch (const YAML::Exception&) {
      }
      if (field < 2 || field > 128) {
        ctx.diagnostics.add(seq[i].Mark(), path + ".match[" + std::to_string(i) + "]",
                            "expected a field number 2..128");
        continue;
      }
      iso.match_fields.push_back(field);
    }
    if (*match == 0) r.error_at("match", "needs at least one field (11, the STAN, usually)");
  }
  if (r.string("timeout_code", iso.timeout_code) && !response_code(iso.timeout_code)) {
    r.error_at("timeout_code", "expected a two-character response code such as \"91\"");
  }
  std::vector<std::string> failure_codes;
  const auto listed = r.sequence("failure_codes", Presence::optional, [&](const YAML::Node& item, const std::string& item_path) {
    if (!item.IsScalar() || !response_code(item.Scalar())) {
      ctx.diagnostics.add(item.Mark(), item_path, "expected a two-character response code such as \"96\"");
      return;
    }
    failure_codes.push_back(item.Scalar());
  });
  if (listed) iso.failure_codes = std::move(failure_codes);
  r.duration("echo_interval", iso.echo_interval, Duration{100}, one_day);
  if (auto reconnect = r.mapping("reconnect")) {
    MapReader b(*reconnect, r.path_of("reconnect"), ctx);
    b.duration("min", iso.reconnect_min, Duration{1}, one_day);
    b.duration("max", iso.reconnect_max, Duration{1}, one_day);
    b.finish();
    if (iso.reconnect_max < iso.reconnect_min) r.error_at("reconnect", "max must not be below min");
  }
  r.finish();
  return iso;
}

// Splits "https://host[:port][/base]" (or "tls://host:port" for ISO 8583) into its parts;
// only TLS schemes are allowed because every hop that carries card data is encrypted.
bool parse_processor_url(const std::string& url, Processor& p) {
  const bool tls = url.rfind("tls://", 0) == 0;
  const std::string_view scheme = tls ? "tls://" : "https://";
  if (url.rfind(scheme, 0) != 0) return false;
  std::string_view rest(url);
  rest.remove_prefix(scheme.size());
  if (tls && rest.find('/') != std::string_view::npos) return false;
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view base = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (base.find_first_of("?#") != std::string_view::npos) return false;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  bool has_port = authority.empty()          ? false
                  : authority.front() == '[' ? authority.find("]:") != std::string_view::npos
                                             : authority.find(':') != std::string_view::npos;
  std::string with_port(authority);
  if (!has_port) with_port += ":443";
  auto endpoint = parse_endpoint(with_port);
  if (!endpoint || endpoint->port == 0) return false;
  p.endpoint = *endpoint;
  p.base_path = std::string(base);
  return true;
}

}  // namespace

ClientTls read_client_tls(const YAML::Node& node, const std::string& path, Context& ctx,
                          const std::string& default_server_name) {
  ClientTls tls;
  MapReader t(node, path, ctx);
  t.file("ca", tls.ca, FileRule::trusted, Presence::required);
  if (!t.string("server_name", tls.server_name)) tls.server_name = default_server_name;
  std::filesystem::path cert, key;
  const bool has_cert = t.file("certificate", cert, FileRule::trusted);
  const bool has_key = t.file("private_key", key, FileRule::private_key);
  if (has_cert) tls.certificate = cert;
  if (has_key) tls.private_key = key;
  if (has_cert != has_key) t.error_at(has_cert ? "private_key" : "certificate", "certificate and private_key go together");
  t.finish();
  return tls;
}

Processor read_processor(const YAML::Node& node, const std::string& path, Context& ctx) {
  Processor p;
  MapReader r(node, path, ctx);
  r.string("name", p.name, Presence::required);
  if (r.string("url", p.url, Presence::required) && !parse_processor_url(p.url, p)) {
    r.error_at("url", "expected https://host[:port][/path], or tls://host:port for ISO 8583");
  }
  if (auto tls = r.mapping("tls", Presence::required)) p.tls = read_client_tls(*tls, r.path_of("tls"), ctx, p.endpoint.host);
  if (auto timeouts = r.mapping("timeouts")) {
    MapReader t(*timeouts, r.path_of("timeouts"), ctx);
    t.duration("connect", p.timeouts.connect, one_ms, one_day);
    t.duration("response", p.timeouts.response, one_ms, one_day);
    t.finish();
  }
  if (auto pool = r.mapping("pool")) {
    MapReader t(*pool, r.path_of("pool"), ctx);
    t.count("max_connections", p.pool.max_connections, 1, 100'000);
    t.count("max_waiting", p.pool.max_waiting, 0, 1'000'000);
    t.duration("idle_timeout", p.pool.idle_timeout, one_ms, one_day);
    t.finish();
  }
  r.size("max_response", p.max_response, 1024, 64ull << 20);
  if (auto breaker = r.mapping("breaker")) {
    MapReader b(*breaker, r.path_of("breaker"), ctx);
    b.count("failures", p.breaker.failures, 1, 1000);
    b.duration("open_for", p.breaker.open_for, one_ms, one_day);
    b.finish();
  }
  if (auto jwe = r.mapping("jwe")) {
    MapReader j(*jwe, r.path_of("jwe"), ctx);
    auto load_key = [&](std::string_view key, FileRule rule,
                        bool want_private) -> std::shared_ptr<const crypto::JoseKey> {
      std::filesystem::path file;
      if (!j.file(key, file, rule)) return nullptr;
      auto loaded = crypto::JoseKey::load_file(file.string());
      if (!loaded) {
        j.error_at(key, loaded.error().reason);
        return nullptr;
      }
      if (want_private && !loaded.value().is_private()) {
        j.error_at(key, "expected a private key (it decrypts what the processor encrypts for paygate)");
        return nullptr;
      }
      return std::make_shared<const crypto::JoseKey>(std::move(loaded).value());
    };
    p.jwe.public_key = load_key("public_key", FileRule::trusted, false);
    p.jwe.private_key = load_key("private_key", FileRule::private_key, true);
    j.string("alg", p.jwe.alg);
    j.string("enc", p.jwe.enc);
    if (p.jwe.enc != "A128GCM" && p.jwe.enc != "A256GCM")
      j.error_at("enc", "expected one of: A128GCM, A256GCM");
    if (auto reuse = j.mapping("content_key_reuse")) {
      // Opt-in only, and bounded both ways: one content key seals at most `messages`
      // JWEs and lives at most `max_age` (docs/crypto.md, "Content-key reuse").
      MapReader c(*reuse, j.path_of("content_key_reuse"), ctx);
      c.count("messages", p.jwe.reuse_messages, 2, 100'000, Presence::required);
      c.duration("max_age", p.jwe.reuse_max_age, Duration{1000}, Duration{3600 * 1000}, Presence::required);
      c.finish();
      if (p.jwe.public_key && p.jwe.public_key->kind() != crypto::JoseKey::Kind::rsa)
        j.error_at("content_key_reuse", "only RSA processor keys reuse a content key (ECDH-ES derives one per message)");
    }
    j.finish();
  }
  if (auto iso = r.mapping("iso8583")) {
    p.iso = read_iso_processor(*iso, r.path_of("iso8583"), ctx);
    if (p.url.rfind("tls://", 0) != 0)
      r.error_at("url", "an ISO 8583 processor is reached at tls://host:port");
  } else if (p.url.rfind("tls://", 0) == 0) {
    r.error_at("url", "tls:// is for ISO 8583 processors: add an iso8583 section (spec, framing)");
  }
  r.finish();
  return p;
}

}  // namespace paygate::config::internal
