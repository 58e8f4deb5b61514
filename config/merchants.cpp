// merchants: who may call (certificate or API key hash) and which routes.
#include "config/internal/sections.h"

#include <algorithm>
#include <set>

namespace paygate::config::internal {
namespace {

bool valid_merchant_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool lower_hex(const std::string& text, std::size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

Merchant read_merchant(const YAML::Node& node, const std::string& path, Context& ctx,
                       const std::set<std::string>& route_names) {
  Merchant m;
  MapReader r(node, path, ctx);
  if (r.string("id", m.id, Presence::required)) {
    if (!valid_merchant_id(m.id)) r.error_at("id", "expected 1 to 64 of A-Z a-z 0-9 _ -");
    if (m.id == anonymous_merchant) {
      r.error_at("id", "\"anonymous\" is reserved for requests where no merchants are configured");
    }
  }
  r.sequence("certificates", Presence::optional, [&](const YAML::Node& item, const std::string& p) {
    MapReader c(item, p, ctx);
    std::vector<CertificateMatch> found;
    CertificateMatch match;
    if (c.string("san_uri", match.value)) found.push_back({CertificateMatch::Kind::san_uri, match.value});
    if (c.string("subject_cn", match.value))
      found.push_back({CertificateMatch::Kind::subject_cn, match.value});
    if (c.string("sha256", match.value)) {
      std::string hex;
      for (char ch : match.value) {
        if (ch != ':') hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
      }
      if (!lower_hex(hex, 64))
        c.error_at("sha256", "expected the certificate's SHA-256 as 64 hex digits (colons allowed)");
      found.push_back({CertificateMatch::Kind::sha256, hex});
    }
    if (found.size() != 1 && c.valid())
      c.error(item, p, "expected exactly one of san_uri, subject_cn, sha256");
    else if (found.size() == 1)
      m.certificates.push_back(found.front());
    c.finish();
  });
  r.sequence("api_key_sha256", Presence::optional, [&](const YAML::Node& item, const std::string& p) {
    const std::string hex = item.IsScalar() ? item.Scalar() : "";
    if (!lower_hex(hex, 64)) {
      r.error(item, p,
              "expected the SHA-256 of the API key as 64 lowercase hex digits (never the key itself)");
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
  if (auto iso = r.mapping("iso8583")) {
    MapReader i(*iso, r.path_of("iso8583"), ctx);
    auto ids = [&](const char* key, std::size_t max, std::vector<std::string>& out) {
      i.sequence(key, Presence::optional, [&](const YAML::Node& item, const std::string& p) {
        const std::string id = item.IsScalar() ? item.Scalar() : "";
        if (id.empty() || id.size() > max) {
          i.error(item, p, "expected 1 to " + std::to_string(max) + " characters");
          return;
        }
        out.push_back(id);
      });
    };
    ids("card_acceptor_ids", 15, m.card_acceptor_ids);  // DE 42: ans 15
    ids("terminal_ids", 8, m.terminal_ids);             // DE 41: ans 8
    i.finish();
  }
  if (m.certificates.empty() && m.api_key_sha256.empty() && r.valid()) {
    r.error_at("id", "a merchant needs certificates or api_key_sha256 to be recognized by");
  }
  r.finish();
  return m;
}

}  // namespace paygate::config::internal
