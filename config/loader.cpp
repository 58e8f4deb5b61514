#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <map>
#include <fstream>
#include <set>

#include "config/internal/yaml_reader.h"
#include "config/iso8583_spec_loader.h"
#include "config/keyring_loader.h"
#include "crypto/jose_key.h"
#include "crypto/keyring.h"
#include "config/units.h"

namespace paygate::config {
namespace {

using internal::Context;
using internal::FileRule;
using internal::MapReader;
using internal::Presence;

constexpr Duration one_ms{1};
constexpr Duration one_day{24 * 60 * 60 * 1000};

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
    if (!tls.client_ca) r.error_at("client_crl", "needs client_ca: revocation applies to verified client certificates");
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

constexpr std::array<std::pair<std::string_view, ListenerKind>, 2> listener_kinds{{
    {"https", ListenerKind::https},
    {"iso8583", ListenerKind::iso8583},
}};

constexpr std::array<std::pair<std::string_view, protocol::iso8583::Framing>, 3> framings{{
    {"binary2", protocol::iso8583::Framing::binary2},
    {"bcd2", protocol::iso8583::Framing::bcd2},
    {"ascii4", protocol::iso8583::Framing::ascii4},
}};

// `spec:` a shipped spec's name or a spec file (relative to the config file). Its own
// errors are reported with their file:line.
std::shared_ptr<const protocol::iso8583::MessageSpec> read_spec(MapReader& r, std::string& name, Context& ctx) {
  if (!r.string("spec", name, Presence::required)) return nullptr;
  std::filesystem::path file = iso8583_spec_path(name);
  if (file.is_relative() && name.find('/') != std::string::npos) file = ctx.base_dir / file;
  auto loaded = load_iso8583_spec(file);
  if (!loaded.ok()) {
    r.error_at("spec", "cannot use ISO 8583 spec " + file.string());
    for (auto& e : loaded.errors) ctx.diagnostics.add_foreign(std::move(e));
  }
  return loaded.spec;
}

bool response_code(const std::string& code) {
  return code.size() == 2 && std::all_of(code.begin(), code.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

// spec, framing and max_frame: how messages look on a connection, either side.
template <class IsoSection>
void read_iso_format(MapReader& r, IsoSection& iso, Context& ctx) {
  iso.spec = read_spec(r, iso.spec_name, ctx);
  r.choice<protocol::iso8583::Framing>("framing", iso.framing, framings);
  std::uint64_t max_frame = iso.max_frame;
  if (r.size("max_frame", max_frame, 64, protocol::iso8583::max_frame(iso.framing))) iso.max_frame = max_frame;
}

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
        ctx.diagnostics.add(seq[i].Mark(), path + ".match[" + std::to_string(i) + "]", "expected a field number 2..128");
        continue;
      }
      iso.match_fields.push_back(field);
    }
    if (*match == 0) r.error_at("match", "needs at least one field (11, the STAN, usually)");
  }
  if (r.string("timeout_code", iso.timeout_code) && !response_code(iso.timeout_code)) {
    r.error_at("timeout_code", "expected a two-character response code such as \"91\"");
  }
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

Listener read_listener(const YAML::Node& node, const std::string& path, Context& ctx) {
  Listener l;
  MapReader r(node, path, ctx);
  r.string("name", l.name, Presence::required);
  r.choice<ListenerKind>("kind", l.kind, listener_kinds);
  r.endpoint("address", l.address, Presence::required);
  if (auto tls = r.mapping("tls", Presence::required)) l.tls = read_server_tls(*tls, r.path_of("tls"), ctx);
  if (auto limits = r.mapping("limits")) l.limits = read_limits(*limits, r.path_of("limits"), ctx);
  if (auto iso = r.mapping("iso8583")) {
    if (l.kind != ListenerKind::iso8583) r.error_at("iso8583", "only for listeners of kind iso8583");
    l.iso = read_iso_listener(*iso, r.path_of("iso8583"), ctx);
  } else if (l.kind == ListenerKind::iso8583) {
    r.error_at("kind", "an iso8583 listener needs an iso8583 section (spec, framing)");
  }
  r.finish();
  return l;
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
  bool has_port = authority.empty() ? false
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

Processor read_processor(const YAML::Node& node, const std::string& path, Context& ctx) {
  Processor p;
  MapReader r(node, path, ctx);
  r.string("name", p.name, Presence::required);
  if (r.string("url", p.url, Presence::required) && !parse_processor_url(p.url, p)) {
    r.error_at("url", "expected https://host[:port][/path], or tls://host:port for ISO 8583");
  }
  if (auto tls = r.mapping("tls", Presence::required)) {
    MapReader t(*tls, r.path_of("tls"), ctx);
    t.file("ca", p.tls.ca, FileRule::trusted, Presence::required);
    if (!t.string("server_name", p.tls.server_name)) p.tls.server_name = p.endpoint.host;
    std::filesystem::path cert, key;
    bool has_cert = t.file("certificate", cert, FileRule::trusted);
    bool has_key = t.file("private_key", key, FileRule::private_key);
    if (has_cert) p.tls.certificate = cert;
    if (has_key) p.tls.private_key = key;
    if (has_cert != has_key) {
      t.error_at(has_cert ? "private_key" : "certificate",
                 "certificate and private_key go together");
    }
    t.finish();
  }
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
    auto load_key = [&](std::string_view key, FileRule rule, bool want_private) -> std::shared_ptr<const crypto::JoseKey> {
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
    if (p.jwe.enc != "A128GCM" && p.jwe.enc != "A256GCM") j.error_at("enc", "expected one of: A128GCM, A256GCM");
    j.finish();
  }
  if (auto iso = r.mapping("iso8583")) {
    p.iso = read_iso_processor(*iso, r.path_of("iso8583"), ctx);
    if (p.url.rfind("tls://", 0) != 0) r.error_at("url", "an ISO 8583 processor is reached at tls://host:port");
  } else if (p.url.rfind("tls://", 0) == 0) {
    r.error_at("url", "tls:// is for ISO 8583 processors: add an iso8583 section (spec, framing)");
  }
  r.finish();
  return p;
}

constexpr std::array<std::string_view, 5> methods{"GET", "POST", "PUT", "PATCH", "DELETE"};

bool valid_path(const std::string& path) {
  if (path.empty() || path.front() != '/') return false;
  // Visible ASCII only, and no query or fragment: routes match on the path.
  return std::all_of(path.begin(), path.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != '?' && c != '#';
  });
}

constexpr std::array<std::pair<std::string_view, protocol::MessageKind>, 5> message_kinds{{
    {"authorization", protocol::MessageKind::authorization},
    {"capture", protocol::MessageKind::capture},
    {"refund", protocol::MessageKind::refund},
    {"void", protocol::MessageKind::cancel},
    {"token_only", protocol::MessageKind::token_only},
}};

// `policy: { "$.card.number": [issue_token, encrypt_for_processor], "$.card.cvv": drop }`
protocol::FieldPolicy read_policy(const YAML::Node& node, const std::string& path, Context& ctx) {
  protocol::FieldPolicy policy;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: yaml-cpp's iterator hands out temporaries.
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    const std::string key = key_node.Scalar();
    const std::string entry_path = path + "[" + key + "]";
    std::string error;
    auto field_path = protocol::FieldPath::parse(key, error);
    if (!field_path) {
      ctx.diagnostics.add(key_node.Mark(), entry_path, "not a field path: " + error);
      continue;
    }
    std::vector<YAML::Node> names;
    if (value.IsScalar()) {
      names.push_back(value);
    } else if (value.IsSequence()) {
      for (std::size_t i = 0; i < value.size(); ++i) names.push_back(value[i]);
    } else {
      ctx.diagnostics.add(value.Mark(), entry_path, "expected an action or a list of actions");
    }
    protocol::FieldRule rule{*field_path, {}};
    for (const auto& n : names) {
      auto action = n.IsScalar() ? protocol::parse_field_action(n.Scalar()) : std::nullopt;
      if (!action) {
        ctx.diagnostics.add(n.Mark(), entry_path,
                            "expected one of: tokenize, issue_token, detokenize, encrypt_for_processor, "
                            "decrypt_from_processor, encrypt, drop, mask_in_logs");
        continue;
      }
      rule.actions.push_back(*action);
    }
    policy.push_back(std::move(rule));
  }
  return policy;
}

// ISO 8583 policies: `{ "2": detokenize, "35": [detokenize], "45": drop }` ("DE2" also
// accepted). Card-number actions only on DE 2 and DE 35; DE 52 and DE 55 pass untouched.
std::vector<IsoFieldRule> read_iso_policy(const YAML::Node& node, const std::string& path, Context& ctx) {
  using protocol::FieldAction;
  std::vector<IsoFieldRule> rules;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    std::string key = key_node.Scalar();
    const std::string entry_path = path + "[" + key + "]";
    if (key.rfind("DE", 0) == 0) key = key.substr(2);
    int field = 0;
    if (!key.empty() && key.size() <= 3 && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      field = std::stoi(key);
    }
    if (field < 2 || field > 128) {
      ctx.diagnostics.add(key_node.Mark(), entry_path, "expected a field number 2..128 (e.g. \"2\" or \"DE2\")");
      continue;
    }
    if (field == 52 || field == 55) {
      ctx.diagnostics.add(key_node.Mark(), entry_path, "DE 52 (PIN block) and DE 55 (EMV data) pass through untouched");
      continue;
    }
    std::vector<YAML::Node> names;
    if (value.IsScalar()) names.push_back(value);
    else if (value.IsSequence()) for (std::size_t i = 0; i < value.size(); ++i) names.push_back(value[i]);
    else ctx.diagnostics.add(value.Mark(), entry_path, "expected an action or a list of actions");
    IsoFieldRule rule{field, {}};
    for (const auto& n : names) {
      auto action = n.IsScalar() ? protocol::parse_field_action(n.Scalar()) : std::nullopt;
      const bool card_action = action == FieldAction::tokenize || action == FieldAction::detokenize;
      if (!action || !(card_action || action == FieldAction::drop || action == FieldAction::mask_in_logs)) {
        ctx.diagnostics.add(n.Mark(), entry_path, "expected one of: tokenize, detokenize, drop, mask_in_logs");
        continue;
      }
      if (card_action && field != 2 && field != 35) {
        ctx.diagnostics.add(n.Mark(), entry_path, "tokenize and detokenize apply to DE 2 and DE 35 (track 2) only");
        continue;
      }
      rule.actions.push_back(*action);
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

Route read_route(const YAML::Node& node, const std::string& path, Context& ctx,
                 const std::set<std::string>& processor_names) {
  Route route;
  bool iso_route = false;
  MapReader r(node, path, ctx);
  r.string("name", route.name, Presence::required);
  if (auto match = r.mapping("match", Presence::required)) {
    MapReader m(*match, r.path_of("match"), ctx);
    iso_route = m.string("mti", route.match.mti);
    if (iso_route) {
      if (route.match.mti.size() != 4 ||
          !std::all_of(route.match.mti.begin(), route.match.mti.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        m.error_at("mti", "expected four digits such as \"0100\"");
      }
      if (m.string("processing_code", route.match.processing_code) &&
          (route.match.processing_code.size() > 6 ||
           !std::all_of(route.match.processing_code.begin(), route.match.processing_code.end(),
                        [](char c) { return c >= '0' && c <= '9'; }))) {
        m.error_at("processing_code", "expected up to six digits (a prefix of DE 3)");
      }
    } else if (m.string("method", route.match.method, Presence::required) &&
        std::find(methods.begin(), methods.end(), route.match.method) == methods.end()) {
      m.error_at("method", "expected one of: GET, POST, PUT, PATCH, DELETE");
    }
    if (!iso_route && m.string("path", route.match.path, Presence::required) && !valid_path(route.match.path)) {
      m.error_at("path", "expected an absolute path such as /v1/payments");
    }
    m.finish();
  }
  if (r.string("processor", route.processor, Presence::required) &&
      !processor_names.contains(route.processor)) {
    r.error_at("processor", "no processor named \"" + route.processor + "\"");
  }
  if (r.string("upstream_path", route.upstream_path)) {
    if (!valid_path(route.upstream_path)) r.error_at("upstream_path", "expected an absolute path");
  } else {
    route.upstream_path = route.match.path;
  }
  protocol::MessageKind kind{};
  if (r.choice<protocol::MessageKind>("message", kind, message_kinds)) route.message = kind;
  std::uint64_t max_amount = static_cast<std::uint64_t>(route.max_amount);
  if (r.size("max_amount", max_amount, 1, 1'000'000'000'000)) route.max_amount = static_cast<std::int64_t>(max_amount);
  std::string unknown = "reject";
  if (r.string("unknown_fields", unknown)) {
    if (unknown != "reject" && unknown != "pass") r.error_at("unknown_fields", "expected one of: reject, pass");
    route.pass_unknown_fields = unknown == "pass";
  }
  r.string("token_profile", route.token_profile);
  r.boolean("idempotent", route.idempotent);
  r.string("fraud_profile", route.fraud_profile);
  if (iso_route) {
    if (auto request = r.mapping("request")) route.iso_request_policy = read_iso_policy(*request, r.path_of("request"), ctx);
    if (auto response = r.mapping("response")) route.iso_response_policy = read_iso_policy(*response, r.path_of("response"), ctx);
  } else {
    if (auto request = r.mapping("request")) route.request_policy = read_policy(*request, r.path_of("request"), ctx);
    if (auto response = r.mapping("response")) route.response_policy = read_policy(*response, r.path_of("response"), ctx);
  }
  r.finish();
  return route;
}

bool valid_merchant_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool lower_hex(const std::string& text, std::size_t length) {
  return text.size() == length &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Merchant read_merchant(const YAML::Node& node, const std::string& path, Context& ctx,
                       const std::set<std::string>& route_names) {
  Merchant m;
  MapReader r(node, path, ctx);
  if (r.string("id", m.id, Presence::required) && !valid_merchant_id(m.id)) {
    r.error_at("id", "expected 1 to 64 of A-Z a-z 0-9 _ -");
  }
  r.sequence("certificates", Presence::optional, [&](const YAML::Node& item, const std::string& p) {
    MapReader c(item, p, ctx);
    std::vector<CertificateMatch> found;
    CertificateMatch match;
    if (c.string("san_uri", match.value)) found.push_back({CertificateMatch::Kind::san_uri, match.value});
    if (c.string("subject_cn", match.value)) found.push_back({CertificateMatch::Kind::subject_cn, match.value});
    if (c.string("sha256", match.value)) {
      std::string hex;
      for (char ch : match.value) {
        if (ch != ':') hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
      }
      if (!lower_hex(hex, 64)) c.error_at("sha256", "expected the certificate's SHA-256 as 64 hex digits (colons allowed)");
      found.push_back({CertificateMatch::Kind::sha256, hex});
    }
    if (found.size() != 1 && c.valid()) c.error(item, p, "expected exactly one of san_uri, subject_cn, sha256");
    else if (found.size() == 1) m.certificates.push_back(found.front());
    c.finish();
  });
  r.sequence("api_key_sha256", Presence::optional, [&](const YAML::Node& item, const std::string& p) {
    const std::string hex = item.IsScalar() ? item.Scalar() : "";
    if (!lower_hex(hex, 64)) {
      r.error(item, p, "expected the SHA-256 of the API key as 64 lowercase hex digits (never the key itself)");
      return;
    }
    m.api_key_sha256.push_back(hex);
  });
  r.sequence("routes", Presence::optional, [&](const YAML::Node& item, const std::string& p) {
    const std::string name = item.IsScalar() ? item.Scalar() : "";
    if (!route_names.contains(name)) {
      r.error(item, p, "no route named \"" + name + "\"");
      return;
    }
    m.routes.push_back(name);
  });
  if (m.certificates.empty() && m.api_key_sha256.empty() && r.valid()) {
    r.error_at("id", "a merchant needs certificates or api_key_sha256 to be recognized by");
  }
  r.finish();
  return m;
}

constexpr std::array<std::pair<std::string_view, tokens::TokenKind>, 2> token_kinds{{
    {"vault", tokens::TokenKind::vault},
    {"fpe", tokens::TokenKind::fpe},
}};

tokens::TokenProfile read_token_profile(const std::string& name, const YAML::Node& node, const std::string& path,
                                        Context& ctx) {
  tokens::TokenProfile p;
  p.name = name;
  MapReader r(node, path, ctx);
  r.choice<tokens::TokenKind>("kind", p.kind, token_kinds, Presence::required);
  std::uint32_t front = 6, back = 4, min = 12, max = 19;
  r.count("keep_front", front, 0, 8);
  r.count("keep_back", back, 0, 4);
  r.count("min_length", min, 12, 19);
  r.count("max_length", max, 12, 19);
  r.boolean("allow_luhn_invalid", p.allow_luhn_invalid);
  p.keep_front = static_cast<int>(front);
  p.keep_back = static_cast<int>(back);
  p.min_length = static_cast<int>(min);
  p.max_length = static_cast<int>(max);
  if (auto valid = p.validate(); !valid && r.valid()) {
    const std::string& reason = valid.error().reason;
    const char* key = reason.rfind("keep_front", 0) == 0 ? "keep_front"
                      : reason.rfind("keep_back", 0) == 0 ? "keep_back"
                      : reason.rfind("fpe", 0) == 0       ? "allow_luhn_invalid"
                                                          : "min_length";
    r.error_at(key, reason);
  }
  r.finish();
  return p;
}

constexpr std::array<std::pair<std::string_view, VaultConfig::Store>, 2> vault_stores{{
    {"sqlite", VaultConfig::Store::sqlite},
    {"postgresql", VaultConfig::Store::postgresql},
}};

VaultConfig read_vault(const YAML::Node& node, Context& ctx) {
  VaultConfig v;
  MapReader r(node, "vault", ctx);
  if (r.choice<VaultConfig::Store>("store", v.store, vault_stores, Presence::required)) {
    if (v.store == VaultConfig::Store::sqlite) {
      std::string path;
      if (r.string("path", path, Presence::required)) {
        v.path = std::filesystem::path(path).is_relative() ? ctx.base_dir / path : std::filesystem::path(path);
        v.path = v.path.lexically_normal();
        if (!std::filesystem::is_directory(v.path.parent_path())) {
          r.error_at("path", "folder does not exist (" + v.path.parent_path().string() + ")");
        }
      }
      r.size("max_size", v.max_size, 64 * 1024, std::uint64_t{1} << 50);
    } else {
      // The DSN may hold a password: it comes from the environment, never from this file.
      r.string("dsn_env", v.dsn_env, Presence::required);
      r.count("connections", v.connections, 1, 256);
    }
  }
  r.count("workers", v.workers, 1, 256);
  r.count("queue_limit", v.queue_limit, 1, 1'000'000);
  r.finish();
  return v;
}

constexpr std::array<std::pair<std::string_view, AuditConfig::Fsync>, 2> audit_fsyncs{{
    {"always", AuditConfig::Fsync::always},
    {"batch", AuditConfig::Fsync::batch},
}};
constexpr std::array<std::pair<std::string_view, AuditConfig::OnFull>, 2> audit_on_full{{
    {"block", AuditConfig::OnFull::block},
    {"fail_closed", AuditConfig::OnFull::fail_closed},
}};

bool rule_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// `when: { card_attempts_1m: { above: 3 }, amount: { below: 500 } }`
std::vector<fraud::Condition> read_conditions(const YAML::Node& node, const std::string& path, Context& ctx) {
  using Op = fraud::Condition::Op;
  static constexpr std::pair<std::string_view, Op> ops[] = {
      {"above", Op::above}, {"at_least", Op::at_least}, {"below", Op::below}, {"at_most", Op::at_most}};
  std::vector<fraud::Condition> out;
  if (!node.IsMap() || node.size() == 0) {
    ctx.diagnostics.add(node.Mark(), path, "expected { signal: { above|at_least|below|at_most: number } , ... }");
    return out;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node test = it->second;
    const std::string signal_path = path + "." + key.Scalar();
    auto signal = fraud::parse_signal(key.Scalar());
    if (!signal) {
      ctx.diagnostics.add(key.Mark(), signal_path, "unknown signal (docs/fraud.md lists them)");
      continue;
    }
    if (!test.IsMap() || test.size() == 0) {
      ctx.diagnostics.add(test.Mark(), signal_path, "expected { above|at_least|below|at_most: number }");
      continue;
    }
    for (auto t = test.begin(); t != test.end(); ++t) {
      const std::string op_name = t->first.Scalar();
      auto op = std::find_if(std::begin(ops), std::end(ops), [&](const auto& o) { return o.first == op_name; });
      double value = 0;
      bool number = true;
      try {
        value = t->second.as<double>();
      } catch (const YAML::Exception&) {
        number = false;
      }
      if (op == std::end(ops) || !number) {
        ctx.diagnostics.add(t->first.Mark(), signal_path + "." + op_name, "expected above, at_least, below or at_most with a number");
        continue;
      }
      out.push_back({*signal, op->second, value});
    }
  }
  return out;
}

fraud::Profile read_fraud_profile(const std::string& name, const YAML::Node& node, const std::string& path, Context& ctx) {
  fraud::Profile p;
  p.name = name;
  MapReader r(node, path, ctx);
  std::string mode = "enforce";
  if (r.string("mode", mode) && mode != "enforce" && mode != "dry_run") r.error_at("mode", "expected one of: enforce, dry_run");
  p.dry_run = mode == "dry_run";
  std::uint32_t review = static_cast<std::uint32_t>(p.review_at), block = static_cast<std::uint32_t>(p.block_at);
  r.count("review_at", review, 1, 1'000'000);
  r.count("block_at", block, 1, 1'000'000);
  p.review_at = static_cast<std::int32_t>(review);
  p.block_at = static_cast<std::int32_t>(block);
  if (p.block_at < p.review_at) r.error_at("block_at", "must not be below review_at");
  if (r.string("block_code", p.block_code) && !response_code(p.block_code)) {
    r.error_at("block_code", "expected a two-character response code such as \"59\"");
  }
  r.sequence("rules", Presence::required, [&](const YAML::Node& item, const std::string& rule_path) {
    fraud::Rule rule;
    MapReader rr(item, rule_path, ctx);
    if (rr.string("name", rule.name, Presence::required) && !rule_name(rule.name)) {
      rr.error_at("name", "expected 1..64 of a-z, 0-9, - and _ (it becomes a metrics label)");
    }
    std::uint32_t score = 0;
    const bool has_score = rr.count("score", score, 1, 1'000'000);
    rule.score = static_cast<std::int32_t>(score);
    std::string outcome;
    if (rr.string("outcome", outcome)) {
      if (outcome == "review") rule.outcome = fraud::Outcome::review;
      else if (outcome == "block") rule.outcome = fraud::Outcome::block;
      else rr.error_at("outcome", "expected one of: review, block");
    }
    if (!has_score && outcome.empty()) rr.error_at("name", "a rule needs a score or an outcome");
    if (auto when = rr.mapping("when", Presence::required)) rule.when = read_conditions(*when, rr.path_of("when"), ctx);
    rr.finish();
    p.rules.push_back(std::move(rule));
  });
  r.finish();
  return p;
}

FraudConfig read_fraud(const YAML::Node& node, Context& ctx) {
  FraudConfig f;
  MapReader r(node, "fraud", ctx);
  std::uint64_t max_keys = f.max_keys;
  if (r.size("max_keys", max_keys, 1000, 100'000'000)) f.max_keys = max_keys;
  if (auto state = r.mapping("state")) {
    MapReader s(*state, "fraud.state", ctx);
    std::string store = "memory";
    if (s.string("store", store) && store != "memory" && store != "redis") s.error_at("store", "expected one of: memory, redis");
    f.store = store == "redis" ? FraudConfig::Store::redis : FraudConfig::Store::memory;
    if (auto redis = s.mapping("redis")) {
      MapReader rr(*redis, "fraud.state.redis", ctx);
      rr.endpoint("address", f.redis);
      rr.duration("timeout", f.redis_timeout, Duration{1}, Duration{10000});
      rr.string("prefix", f.redis_prefix);
      std::string policy = "fail_open";
      if (rr.string("on_unavailable", policy) && policy != "fail_open" && policy != "fail_closed") {
        rr.error_at("on_unavailable", "expected one of: fail_open, fail_closed");
      }
      f.fail_closed = policy == "fail_closed";
      rr.finish();
    } else if (f.store == FraudConfig::Store::redis) {
      s.error_at("store", "store redis needs a redis section (address)");
    }
    s.finish();
  }
  std::filesystem::path table;
  if (r.file("bin_table", table, FileRule::readable)) {
    // "BIN,CC" per line (six digits, ISO 3166 alpha-2); # comments.
    std::ifstream in(table);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty() || line[0] == '#') continue;
      const auto comma = line.find(',');
      const std::string bin = line.substr(0, comma);
      const std::string country = comma == std::string::npos ? "" : line.substr(comma + 1, 2);
      if (bin.size() != 6 || !std::all_of(bin.begin(), bin.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          country.size() != 2 || !std::all_of(country.begin(), country.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        r.error_at("bin_table", table.string() + ":" + std::to_string(number) + ": expected BIN,CC (six digits, two capitals)");
        break;
      }
      f.issuing_countries[bin] = country;
    }
  }
  r.sequence("auth_failure_codes", Presence::optional, [&](const YAML::Node&, const std::string&) {});
  if (node["auth_failure_codes"] && node["auth_failure_codes"].IsSequence()) {
    f.auth_failure_codes.clear();
    for (const auto& c : node["auth_failure_codes"]) f.auth_failure_codes.push_back(c.Scalar());
  }
  r.entries("profiles", Presence::required, [&](const std::string& name, const YAML::Node& item, const std::string& path) {
    f.profiles.push_back(read_fraud_profile(name, item, path, ctx));
  });
  r.finish();
  return f;
}

AuditConfig read_audit(const YAML::Node& node, Context& ctx) {
  AuditConfig a;
  a.enabled = true;
  MapReader r(node, "audit", ctx);
  std::string dir;
  if (r.string("dir", dir, Presence::required)) {
    a.dir = (std::filesystem::path(dir).is_relative() ? ctx.base_dir / dir : std::filesystem::path(dir)).lexically_normal();
    const auto parent = a.dir.parent_path();
    if (!std::filesystem::is_directory(a.dir) && !std::filesystem::is_directory(parent)) {
      r.error_at("dir", "neither the folder nor its parent exists (" + a.dir.string() + ")");
    }
  }
  r.choice<AuditConfig::Fsync>("fsync", a.fsync, audit_fsyncs);
  r.duration("batch_interval", a.batch_interval, Duration{1}, Duration{10'000});
  r.count("queue_limit", a.queue_limit, 1, 10'000'000);
  r.choice<AuditConfig::OnFull>("on_full", a.on_full, audit_on_full);
  r.size("max_file_size", a.max_file_size, 4096, std::uint64_t{1} << 40);
  r.duration("rotate_interval", a.rotate_interval, Duration{1000}, Duration{366LL * 24 * 3600 * 1000});
  r.count("checkpoint_every", a.checkpoint_every, 1, 100'000'000);
  r.finish();
  return a;
}

constexpr std::array<std::pair<std::string_view, LogFormat>, 2> log_formats{{
    {"text", LogFormat::text},
    {"json", LogFormat::json},
}};
constexpr std::array<std::pair<std::string_view, LogLevel>, 6> log_levels{{
    {"trace", LogLevel::trace},
    {"debug", LogLevel::debug},
    {"info", LogLevel::info},
    {"warn", LogLevel::warn},
    {"error", LogLevel::error},
    {"off", LogLevel::off},
}};

// Reports the second and later items whose `key(item)` repeats an earlier one.
template <class T, class Key>
void require_unique(const std::vector<T>& items, const YAML::Node& seq, const std::string& seq_path,
                    const std::string& what, Key key, Context& ctx) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string k = key(items[i]);
    if (k.empty()) continue;
    if (!seen.insert(k).second) {
      ctx.diagnostics.add(seq[i].Mark(), seq_path + "[" + std::to_string(i) + "]",
                          "duplicate " + what + " " + k);
    }
  }
}

void require_unique_credentials(const Config& config, const YAML::Node& seq, Context& ctx) {
  std::map<std::string, std::string> owner;
  static constexpr const char* kinds[] = {"san_uri", "subject_cn", "sha256"};
  for (std::size_t i = 0; i < config.merchants.size(); ++i) {
    const Merchant& m = config.merchants[i];
    std::vector<std::string> credentials;
    for (const auto& c : m.certificates) credentials.push_back(std::string(kinds[static_cast<int>(c.kind)]) + " " + c.value);
    for (const auto& k : m.api_key_sha256) credentials.push_back("api key " + k.substr(0, 8) + "…");
    for (const auto& c : credentials) {
      auto [it, inserted] = owner.emplace(c, m.id);
      if (!inserted && it->second != m.id) {
        ctx.diagnostics.add(seq[i].Mark(), "merchants[" + std::to_string(i) + "]",
                            "credential " + c + " already identifies merchant " + it->second);
      }
    }
  }
}

// Each route's actions need what performs them: a token profile for token actions, the
// processor's JWE keys for JWE actions, a primary data key for envelopes.
void check_route_actions(const Config& config, const YAML::Node& root, Context& ctx) {
  const YAML::Node routes = root["routes"];
  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    const Route& route = config.routes[i];
    const std::string path = "routes[" + std::to_string(i) + "]";
    auto report = [&](const std::string& message) { ctx.diagnostics.add(routes[i].Mark(), path, message); };
    bool tokens = false, to_processor = false, from_processor = false, envelope = false;
    for (const auto* policy : {&route.iso_request_policy, &route.iso_response_policy}) {
      for (const auto& rule : *policy) {
        for (auto a : rule.actions) tokens = tokens || a == protocol::FieldAction::tokenize || a == protocol::FieldAction::detokenize;
      }
    }
    for (const auto* policy : {&route.request_policy, &route.response_policy}) {
      for (const auto& rule : *policy) {
        for (auto a : rule.actions) {
          using A = protocol::FieldAction;
          tokens = tokens || a == A::tokenize || a == A::issue_token || a == A::detokenize;
          to_processor = to_processor || a == A::encrypt_for_processor;
          from_processor = from_processor || a == A::decrypt_from_processor;
          envelope = envelope || a == A::encrypt;
        }
      }
    }
    if (!route.token_profile.empty() && !config.token_profile(route.token_profile)) {
      report("no token profile named \"" + route.token_profile + "\"");
    } else if (tokens && route.token_profile.empty()) {
      report("token actions need token_profile");
    }
    const Processor* processor = nullptr;
    for (const auto& p : config.processors) {
      if (p.name == route.processor) processor = &p;
    }
    if (!route.fraud_profile.empty() && !config.fraud.profile(route.fraud_profile)) {
      report("no fraud profile named \"" + route.fraud_profile + "\" (fraud.profiles)");
    }
    if (!route.fraud_profile.empty() && !route.is_iso8583() && !route.message) {
      report("fraud screening needs a message kind (the amount and card come from the validated message)");
    }
    if (!route.fraud_profile.empty() && (!config.keyring || !config.keyring->primary(crypto::KeyUse::fingerprint))) {
      report("fraud screening needs a primary fingerprint key (cards are keyed by their fingerprint)");
    }
    if (processor && route.is_iso8583() && !processor->iso) {
      report("an ISO 8583 route (match.mti) needs an ISO 8583 processor (tls://, iso8583 section)");
    }
    if (processor && !route.is_iso8583() && processor->iso) {
      report("processor " + processor->name + " speaks ISO 8583: routes to it match on mti");
    }
    if (processor && to_processor && !processor->jwe.public_key) {
      report("encrypt_for_processor needs processors[" + processor->name + "].jwe.public_key");
    }
    if (processor && from_processor && !processor->jwe.private_key) {
      report("decrypt_from_processor needs processors[" + processor->name + "].jwe.private_key");
    }
    if (envelope && (!config.keyring || !config.keyring->primary(crypto::KeyUse::data))) {
      report("encrypt needs a primary data key in the keyring");
    }
  }
}

// Token profiles need what makes their tokens: a vault store and data and fingerprint
// keys for vault profiles, a primary fpe key for fpe profiles.
void check_tokens(const Config& config, const YAML::Node& root, Context& ctx) {
  bool needs_vault = false;
  bool needs_fpe = false;
  for (const auto& p : config.token_profiles) (p.kind == tokens::TokenKind::vault ? needs_vault : needs_fpe) = true;
  const YAML::Node profiles = root["token_profiles"];
  auto report = [&](const std::string& message) { ctx.diagnostics.add(profiles.Mark(), "token_profiles", message); };
  if (needs_vault && config.vault.store == VaultConfig::Store::none) report("vault profiles need a vault section");
  if ((needs_vault || needs_fpe) && config.keyring_file.empty()) report("token profiles need keys.keyring");
  if (!config.keyring) return;
  if (needs_vault && (!config.keyring->primary(crypto::KeyUse::data) || !config.keyring->primary(crypto::KeyUse::fingerprint))) {
    report("vault profiles need primary data and fingerprint keys in the keyring");
  }
  if (needs_fpe && !config.keyring->primary(crypto::KeyUse::fpe)) report("fpe profiles need a primary fpe key in the keyring");
}

std::shared_ptr<Config> read_config(const YAML::Node& root, Context& ctx) {
  auto config = std::make_shared<Config>();
  MapReader r(root, "", ctx);
  r.count("threads", config->threads, 0, 256);
  r.duration("drain_timeout", config->drain_timeout, Duration{0}, Duration{3600 * 1000});

  r.sequence("listeners", Presence::required, [&](const YAML::Node& item, const std::string& p) {
    config->listeners.push_back(read_listener(item, p, ctx));
  });
  // Processors first, so that routes can be checked against their names.
  r.sequence("processors", Presence::required, [&](const YAML::Node& item, const std::string& p) {
    config->processors.push_back(read_processor(item, p, ctx));
  });
  std::set<std::string> processor_names;
  for (const auto& p : config->processors) processor_names.insert(p.name);
  r.sequence("routes", Presence::required, [&](const YAML::Node& item, const std::string& p) {
    config->routes.push_back(read_route(item, p, ctx, processor_names));
  });
  std::set<std::string> route_names;
  for (const auto& route : config->routes) route_names.insert(route.name);
  r.sequence("merchants", Presence::optional, [&](const YAML::Node& item, const std::string& p) {
    config->merchants.push_back(read_merchant(item, p, ctx, route_names));
  });
  if (auto keys = r.mapping("keys")) {
    MapReader k(*keys, "keys", ctx);
    if (k.file("keyring", config->keyring_file, FileRule::trusted, Presence::required)) {
      auto loaded = load_keyring(config->keyring_file);
      for (auto& e : loaded.errors) ctx.diagnostics.add_foreign(std::move(e));
      config->keyring = loaded.keyring;
    }
    k.finish();
  }
  r.entries("token_profiles", Presence::optional,
            [&](const std::string& name, const YAML::Node& node, const std::string& path) {
              config->token_profiles.push_back(read_token_profile(name, node, path, ctx));
            });
  if (auto vault = r.mapping("vault")) config->vault = read_vault(*vault, ctx);
  if (auto audit = r.mapping("audit")) config->audit = read_audit(*audit, ctx);
  if (auto fraud = r.mapping("fraud")) config->fraud = read_fraud(*fraud, ctx);
  if (auto admin = r.mapping("admin")) {
    MapReader a(*admin, "admin", ctx);
    config->admin.enabled = true;
    a.endpoint("address", config->admin.address);
    if (auto tls = a.mapping("tls")) {
      // Admin TLS is always mutual: whoever can reload keys must prove who they are.
      config->admin.tls = read_server_tls(*tls, "admin.tls", ctx);
      if (!config->admin.tls->client_ca) a.error_at("tls", "needs client_ca: the admin listener's TLS is mutual TLS");
      config->admin.tls->require_client_certificate = true;
    }
    a.finish();
  }
  if (auto logging = r.mapping("logging")) {
    MapReader l(*logging, "logging", ctx);
    l.choice<LogFormat>("format", config->logging.format, log_formats);
    l.choice<LogLevel>("level", config->logging.level, log_levels);
    l.boolean("access_log", config->logging.access_log);
    l.finish();
  }
  r.finish();
  if (!r.valid()) return config;

  if (root["listeners"].IsSequence()) {
    if (config->listeners.empty()) r.error_at("listeners", "at least one listener is needed");
    require_unique(config->listeners, root["listeners"], "listeners", "listener name",
                   [](const Listener& l) { return l.name; }, ctx);
    require_unique(config->listeners, root["listeners"], "listeners", "listener address",
                   [](const Listener& l) { return l.address.port == 0 ? "" : l.address.to_string(); },
                   ctx);
  }
  if (root["processors"].IsSequence()) {
    require_unique(config->processors, root["processors"], "processors", "processor name",
                   [](const Processor& p) { return p.name; }, ctx);
  }
  if (root["routes"].IsSequence()) {
    require_unique(config->routes, root["routes"], "routes", "route name",
                   [](const Route& route) { return route.name; }, ctx);
    require_unique(config->routes, root["routes"], "routes", "route for",
                   [](const Route& route) {
                     if (route.is_iso8583()) return "MTI " + route.match.mti + " processing code " + route.match.processing_code;
                     return route.match.method.empty() ? "" : route.match.method + " " + route.match.path;
                   },
                   ctx);
  }
  if (root["merchants"].IsSequence()) {
    require_unique(config->merchants, root["merchants"], "merchants", "merchant id",
                   [](const Merchant& m) { return m.id; }, ctx);
    // One credential, one merchant: a certificate or key that two merchants claim would
    // make identity depend on the order of the file.
    require_unique_credentials(*config, root["merchants"], ctx);
  }
  check_tokens(*config, root, ctx);
  check_route_actions(*config, root, ctx);
  if (config->audit.enabled && config->keyring && !config->keyring->primary(crypto::KeyUse::audit)) {
    ctx.diagnostics.add(root["audit"].Mark(), "audit", "the audit log needs a primary audit key in the keyring");
  }
  if (config->audit.enabled && config->keyring_file.empty()) {
    ctx.diagnostics.add(root["audit"].Mark(), "audit", "the audit log needs keys.keyring (its primary audit key)");
  }
  return config;
}

LoadResult parse(std::string_view yaml, const std::filesystem::path& file) {
  auto [config, errors] = internal::read_document<Config>(yaml, file, [&](const YAML::Node& root, Context& ctx) {
    auto c = read_config(root, ctx);
    c->source = file;
    return std::shared_ptr<const Config>(std::move(c));
  });
  return LoadResult{std::move(config), std::move(errors)};
}

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file + ":";
  if (line > 0) out += std::to_string(line) + ":" + std::to_string(column) + ":";
  out += " ";
  if (!path.empty()) out += path + ": ";
  return out + message;
}

const tokens::TokenProfile* Config::token_profile(std::string_view name) const {
  for (const auto& p : token_profiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Processor& Config::processor_for(const Route& route) const {
  auto it = std::find_if(processors.begin(), processors.end(),
                         [&](const Processor& p) { return p.name == route.processor; });
  return *it;
}

LoadResult load_from_string(std::string_view yaml, const std::filesystem::path& file) {
  return parse(yaml, std::filesystem::absolute(file).lexically_normal());
}

LoadResult load(const std::filesystem::path& file) { return internal::load_file<LoadResult>(file, parse); }

}  // namespace paygate::config
