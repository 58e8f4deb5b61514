#include "gateway/flow/screening.h"

#include <boost/json/array.hpp>

#include <algorithm>
#include <chrono>

#include <boost/asio/ssl/context.hpp>

#include "fraud/redis_store.h"
#include "gateway/snapshot.h"
#include "net/tls_context.h"

namespace paygate::gateway {
namespace {

// Cards are keyed for screening by a fingerprint scoped to screening (not to a merchant:
// velocity per card spans merchants).
constexpr std::string_view screening_scope = "paygate-fraud-screening";

}  // namespace

std::int64_t fraud_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Screening::Screening(const config::FraudConfig& fraud, const crypto::Fingerprinter* fingerprints,
                     const fraud::Profile& profile, fraud::Screener& screener, std::string_view merchant,
                     std::string_view client_ip, const FraudCounters* counters)
    : fraud_(fraud),
      fingerprints_(fingerprints),
      counters_(counters),
      profile_(profile),
      screener_(screener) {
  observation_.merchant = std::string(merchant);
  observation_.client_ip = std::string(client_ip);
}

std::unique_ptr<Screening> Screening::for_route(const Snapshot& snapshot, const config::Route& route,
                                                fraud::Screener* screener, std::string_view merchant,
                                                std::string_view client_ip) {
  if (route.fraud_profile.empty() || !screener) return nullptr;
  const fraud::Profile* profile = snapshot.config->fraud.profile(route.fraud_profile);
  if (!profile) return nullptr;  // the config check makes this impossible
  const auto index = static_cast<std::size_t>(profile - snapshot.config->fraud.profiles.data());
  return std::make_unique<Screening>(snapshot.config->fraud, snapshot.fingerprints.get(), *profile, *screener,
                                     merchant, client_ip, &snapshot.fraud_metrics[index]);
}

void Screening::note_card(std::string_view pan) {
  if (!observation_.card_key.empty() || !fingerprints_ || pan.size() < 6) return;
  auto fingerprint = fingerprints_->fingerprint(screening_scope, pan);
  if (!fingerprint) return;
  observation_.card_key = fingerprint.value().hex();
  observation_.bin = std::string(pan.substr(0, 6));
  const auto& table = fraud_.issuing_countries;
  if (auto it = table.find(observation_.bin); it != table.end()) observation_.issuing_country = it->second;
}

void Screening::note_payment(std::uint64_t amount, std::string_view billing_country) {
  observation_.amount = amount;
  observation_.billing_country = std::string(billing_country);
}

const fraud::Decision& Screening::screen() {
  decision_ = screener_.screen(profile_, observation_, fraud_now());
  if (!counters_) return *decision_;
  const FraudCounters& h = *counters_;
  h.counters->outcomes[static_cast<std::size_t>(decision_->verdict)].fetch_add(1, std::memory_order_relaxed);
  h.counters->enforced[static_cast<std::size_t>(decision_->outcome)].fetch_add(1, std::memory_order_relaxed);
  for (const auto& fired : decision_->fired) {
    for (std::size_t r = 0; r < profile_.rules.size(); ++r) {
      if (profile_.rules[r].name == fired) h.rules[r]->fetch_add(1, std::memory_order_relaxed);
    }
  }
  return *decision_;
}

void Screening::feedback(bool approved, std::string_view response_code) {
  const auto& codes = fraud_.auth_failure_codes;
  fraud::Feedback f;
  f.declined = !approved;
  f.auth_failure = std::find(codes.begin(), codes.end(), response_code) != codes.end();
  screener_.feedback(observation_, f, fraud_now());
}

fraud::SignalValues Screening::peek() const { return screener_.peek(observation_, fraud_now()); }

boost::json::object Screening::record() const {
  return decision_ ? fraud_record(profile_, *decision_) : boost::json::object();
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

std::unique_ptr<fraud::Screener> make_screener(const config::FraudConfig& config) {
  if (config.store == config::FraudConfig::Store::memory)
    return std::make_unique<fraud::MemoryScreener>(config.max_keys);
  fraud::RedisOptions o;
  o.host = config.redis.host;
  o.port = config.redis.port;
  o.timeout = config.redis_timeout;
  o.prefix = config.redis_prefix;
  o.fail_closed = config.fail_closed;
  o.username = config.redis_username;
  o.password = config.redis_password;
  if (config.redis_tls) {
    // paygate's client TLS policy and CA handling, the same as towards a processor; the
    // SSL_CTX lives as long as the asio context that owns it.
    auto context = net::make_client_context(*config.redis_tls, "Redis");
    o.tls = fraud::RedisTls{std::shared_ptr<ssl_ctx_st>(context, context->native_handle()),
                            [name = config.redis_tls->server_name](ssl_st* ssl) { return net::set_peer_name(ssl, name); }};
  }
  return std::make_unique<fraud::RedisScreener>(o);
}

}  // namespace paygate::gateway
