#include "gateway/fraud_stage.h"

#include <boost/json/array.hpp>

#include <algorithm>

#include "fraud/redis_store.h"

namespace paygate::gateway {

fraud::Observation observe(const Snapshot& snapshot, const RequestActions& actions, const std::string& merchant,
                           const std::string& client_ip, std::uint64_t amount, const std::string& billing_country) {
  fraud::Observation o;
  o.card_key = actions.card_key();
  o.bin = actions.bin();
  o.merchant = merchant;
  o.client_ip = client_ip;
  o.amount = amount;
  o.billing_country = billing_country;
  if (!o.bin.empty()) {
    const auto& table = snapshot.config->fraud.issuing_countries;
    if (auto it = table.find(o.bin); it != table.end()) o.issuing_country = it->second;
  }
  return o;
}

std::unique_ptr<fraud::Screener> make_screener(const config::FraudConfig& config) {
  if (config.store == config::FraudConfig::Store::memory) return std::make_unique<fraud::MemoryScreener>(config.max_keys);
  fraud::RedisOptions o;
  o.host = config.redis.host;
  o.port = config.redis.port;
  o.timeout = config.redis_timeout;
  o.prefix = config.redis_prefix;
  o.fail_closed = config.fail_closed;
  return std::make_unique<fraud::RedisScreener>(o);
}

boost::json::object fraud_record(const fraud::Profile& profile, const fraud::Decision& d) {
  boost::json::object o;
  o["profile"] = profile.name;
  o["mode"] = profile.dry_run ? "dry_run" : "enforce";
  o["verdict"] = fraud::to_string(d.verdict);
  o["outcome"] = fraud::to_string(d.outcome);
  o["score"] = d.score;
  boost::json::array fired;
  for (const auto& r : d.fired) fired.emplace_back(r);
  o["rules"] = std::move(fired);
  o["reason"] = d.reason;
  return o;
}

fraud::Feedback feedback_from(const config::FraudConfig& config, bool approved, const std::string& code) {
  fraud::Feedback f;
  f.declined = !approved;
  f.auth_failure = std::find(config.auth_failure_codes.begin(), config.auth_failure_codes.end(), code) !=
                   config.auth_failure_codes.end();
  return f;
}

}  // namespace paygate::gateway
