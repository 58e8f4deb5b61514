// fraud: screening state, BIN table and the profiles with their rules.
#include "config/internal/sections.h"

#include <algorithm>
#include <fstream>
#include <set>

#include "config/internal/iso_format.h"

namespace paygate::config::internal {
namespace {

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
    ctx.diagnostics.add(node.Mark(), path,
                        "expected { signal: { above|at_least|below|at_most: number } , ... }");
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
      auto op =
          std::find_if(std::begin(ops), std::end(ops), [&](const auto& o) { return o.first == op_name; });
      double value = 0;
      bool number = true;
      try {
        value = t->second.as<double>();
      } catch (const YAML::Exception&) {
        number = false;
      }
      if (op == std::end(ops) || !number) {
        ctx.diagnostics.add(t->first.Mark(), signal_path + "." + op_name,
                            "expected above, at_least, below or at_most with a number");
        continue;
      }
      out.push_back({*signal, op->second, value});
    }
  }
  return out;
}

fraud::Profile read_fraud_profile(const std::string& name, const YAML::Node& node, const std::string& path,
                                  Context& ctx) {
  fraud::Profile p;
  p.name = name;
  MapReader r(node, path, ctx);
  std::string mode = "enforce";
  if (r.string("mode", mode) && mode != "enforce" && mode != "dry_run")
    r.error_at("mode", "expected one of: enforce, dry_run");
  p.dry_run = mode == "dry_run";
  std::uint32_t review = static_cast<std::uint32_t>(p.review_at),
                block = static_cast<std::uint32_t>(p.block_at);
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
      if (outcome == "review")
        rule.outcome = fraud::Outcome::review;
      else if (outcome == "block")
        rule.outcome = fraud::Outcome::block;
      else
        rr.error_at("outcome", "expected one of: review, block");
    }
    if (!has_score && outcome.empty()) rr.error_at("name", "a rule needs a score or an outcome");
    if (auto when = rr.mapping("when", Presence::required))
      rule.when = read_conditions(*when, rr.path_of("when"), ctx);
    rr.finish();
    p.rules.push_back(std::move(rule));
  });
  r.finish();
  return p;
}

}  // namespace

FraudConfig read_fraud(const YAML::Node& node, Context& ctx) {
  FraudConfig f;
  MapReader r(node, "fraud", ctx);
  std::uint64_t max_keys = f.max_keys;
  if (r.size("max_keys", max_keys, 1000, 100'000'000)) f.max_keys = max_keys;
  if (auto state = r.mapping("state")) {
    MapReader s(*state, "fraud.state", ctx);
    std::string store = "memory";
    if (s.string("store", store) && store != "memory" && store != "redis")
      s.error_at("store", "expected one of: memory, redis");
    f.store = store == "redis" ? FraudConfig::Store::redis : FraudConfig::Store::memory;
    if (auto redis = s.mapping("redis")) {
      MapReader rr(*redis, "fraud.state.redis", ctx);
      rr.endpoint("address", f.redis);
      rr.duration("timeout", f.redis_timeout, Duration{1}, Duration{10000});
      rr.string("prefix", f.redis_prefix);
      rr.string("username", f.redis_username);
      std::filesystem::path password_file;
      if (rr.file("password_file", password_file, FileRule::private_key)) {
        std::ifstream in(password_file, std::ios::binary);
        std::getline(in, f.redis_password);
        if (f.redis_password.empty()) rr.error_at("password_file", "the file is empty");
      }
      if (auto tls = rr.mapping("tls")) f.redis_tls = read_client_tls(*tls, rr.path_of("tls"), ctx, f.redis.host);
      if (!f.redis_username.empty() && f.redis_password.empty())
        rr.error_at("username", "needs password_file");
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
      if (bin.size() != 6 ||
          !std::all_of(bin.begin(), bin.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          country.size() != 2 ||
          !std::all_of(country.begin(), country.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        r.error_at("bin_table", table.string() + ":" + std::to_string(number) +
                                    ": expected BIN,CC (six digits, two capitals)");
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
  r.entries("profiles", Presence::required,
            [&](const std::string& name, const YAML::Node& item, const std::string& path) {
              f.profiles.push_back(read_fraud_profile(name, item, path, ctx));
            });
  r.finish();
  return f;
}

}  // namespace paygate::config::internal
