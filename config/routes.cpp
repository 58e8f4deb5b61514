// routes: what a route matches, where it goes, how its messages are checked and what its
// field policies do.
#include "config/internal/sections.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace paygate::config::internal {
namespace {

constexpr std::array<std::string_view, 5> methods{"GET", "POST", "PUT", "PATCH", "DELETE"};

bool valid_path(const std::string& path) {
  if (path.empty() || path.front() != '/') return false;
  // Visible ASCII only, and no query or fragment: routes match on the path.
  return std::all_of(path.begin(), path.end(),
                     [](char c) { return c > ' ' && c < 0x7f && c != '?' && c != '#'; });
}

constexpr std::array<std::pair<std::string_view, protocol::MessageKind>, 5> message_kinds{{
    {"authorization", protocol::MessageKind::authorization},
    {"capture", protocol::MessageKind::capture},
    {"refund", protocol::MessageKind::refund},
    {"void", protocol::MessageKind::cancel},
    {"token_only", protocol::MessageKind::token_only},
}};

enum class Side { request, response };

// The actions of the table (protocol/payment/field_action.h) that `allowed` accepts, for
// "expected one of" messages.
template <class Allowed>
std::string action_names(Allowed allowed) {
  std::string out;
  for (const auto& a : protocol::field_actions()) {
    if (allowed(a)) out += (out.empty() ? "" : ", ") + std::string(a.name);
  }
  return out;
}

// `policy: { "$.card.number": [issue_token, encrypt_for_processor], "$.card.cvv": drop }`
protocol::FieldPolicy read_policy(const YAML::Node& node, const std::string& path, Side side, Context& ctx) {
  auto allowed = [side](const protocol::ActionSpec& a) { return side == Side::request ? a.request : a.response; };
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
        ctx.diagnostics.add(n.Mark(), entry_path, "expected one of: " + action_names([](const auto&) { return true; }));
        continue;
      }
      if (!allowed(protocol::spec(*action))) {
        ctx.diagnostics.add(n.Mark(), entry_path,
                            std::string(protocol::to_string(*action)) + " is not a " +
                                (side == Side::request ? "request" : "response") +
                                " action; expected one of: " + action_names(allowed));
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
  std::vector<IsoFieldRule> rules;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    std::string key = key_node.Scalar();
    const std::string entry_path = path + "[" + key + "]";
    if (key.rfind("DE", 0) == 0) key = key.substr(2);
    int field = 0;
    if (!key.empty() && key.size() <= 3 &&
        std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      field = std::stoi(key);
    }
    if (field < 2 || field > 128) {
      ctx.diagnostics.add(key_node.Mark(), entry_path,
                          "expected a field number 2..128 (e.g. \"2\" or \"DE2\")");
      continue;
    }
    if (field == 52 || field == 55) {
      ctx.diagnostics.add(key_node.Mark(), entry_path,
                          "DE 52 (PIN block) and DE 55 (EMV data) pass through untouched");
      continue;
    }
    std::vector<YAML::Node> names;
    if (value.IsScalar())
      names.push_back(value);
    else if (value.IsSequence())
      for (std::size_t i = 0; i < value.size(); ++i) names.push_back(value[i]);
    else
      ctx.diagnostics.add(value.Mark(), entry_path, "expected an action or a list of actions");
    IsoFieldRule rule{field, {}};
    auto iso = [](const protocol::ActionSpec& a) { return a.iso8583; };
    for (const auto& n : names) {
      auto action = n.IsScalar() ? protocol::parse_field_action(n.Scalar()) : std::nullopt;
      if (!action || !iso(protocol::spec(*action))) {
        ctx.diagnostics.add(n.Mark(), entry_path, "expected one of: " + action_names(iso));
        continue;
      }
      if (protocol::spec(*action).card_number && field != 2 && field != 35) {
        std::string card_actions;
        for (const auto& a : protocol::field_actions()) {
          if (a.iso8583 && a.card_number) card_actions += (card_actions.empty() ? "" : " and ") + std::string(a.name);
        }
        ctx.diagnostics.add(n.Mark(), entry_path, card_actions + " apply to DE 2 and DE 35 (track 2) only");
        continue;
      }
      rule.actions.push_back(*action);
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace

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
      if (route.match.mti.size() != 4 || !std::all_of(route.match.mti.begin(), route.match.mti.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; })) {
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
    if (!iso_route && m.string("path", route.match.path, Presence::required) &&
        !valid_path(route.match.path)) {
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
  if (r.size("max_amount", max_amount, 1, 1'000'000'000'000))
    route.max_amount = static_cast<std::int64_t>(max_amount);
  std::string unknown = "reject";
  if (r.string("unknown_fields", unknown)) {
    if (unknown != "reject" && unknown != "pass")
      r.error_at("unknown_fields", "expected one of: reject, pass");
    route.pass_unknown_fields = unknown == "pass";
  }
  r.string("token_profile", route.token_profile);
  r.boolean("idempotent", route.idempotent);
  if (r.string("merchant_header", route.merchant_header)) {
    const bool token = !route.merchant_header.empty() &&
                       std::all_of(route.merchant_header.begin(), route.merchant_header.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
                       });
    if (!token) r.error_at("merchant_header", "expected an HTTP header name (letters, digits, '-')");
  }
  r.string("fraud_profile", route.fraud_profile);
  if (iso_route) {
    if (auto request = r.mapping("request"))
      route.iso_request_policy = read_iso_policy(*request, r.path_of("request"), ctx);
    if (auto response = r.mapping("response"))
      route.iso_response_policy = read_iso_policy(*response, r.path_of("response"), ctx);
  } else {
    if (auto request = r.mapping("request"))
      route.request_policy = read_policy(*request, r.path_of("request"), Side::request, ctx);
    if (auto response = r.mapping("response"))
      route.response_policy = read_policy(*response, r.path_of("response"), Side::response, ctx);
  }
  r.finish();
  return route;
}

}  // namespace paygate::config::internal
