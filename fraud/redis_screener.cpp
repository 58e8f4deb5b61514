#include "fraud/redis_screener.h"

#include <hiredis/hiredis.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace paygate::fraud {
namespace {

// KEYS: none (single Redis, not Cluster: key names are built from the prefix).
// ARGV: now, amount, record (1|0), card key, merchant, ip, bin, card tag, prefix.
// Returns: card 1m 1h 24h, card amount 1h 24h, card auth failures 24h, card first seen at
// merchant, merchant 1m 1h, ip 1m 1h, ip distinct cards, ip card tag already seen (1|0),
// ip answers 1h, ip declines 1h, bin 1h.
constexpr const char* screen_script = R"lua(
local now = tonumber(ARGV[1])
local amount = tonumber(ARGV[2])
local record = ARGV[3] == '1'
local card, merchant, ip, bin, tag, p = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local function window(key, width, buckets, add)
  local b = math.floor(now / width)
  if add > 0 then
    local k = key .. ':' .. width .. ':' .. b
    redis.call('INCRBY', k, add)
    redis.call('EXPIRE', k, width * buckets + 60)
  end
  local names = {}
  for i = 0, buckets - 1 do names[#names + 1] = key .. ':' .. width .. ':' .. (b - i) end
  local total = 0
  for _, v in ipairs(redis.call('MGET', unpack(names))) do
    if v then total = total + tonumber(v) end
  end
  return total
end
local one = record and 1 or 0
local out = {}
if card ~= '' then
  local c = p .. 'c:' .. card
  out[1] = window(c .. ':n', 10, 6, one)
  out[2] = window(c .. ':n', 600, 6, one)
  out[3] = window(c .. ':n', 7200, 12, one)
  out[4] = window(c .. ':a', 600, 6, record and amount or 0)
  out[5] = window(c .. ':a', 7200, 12, record and amount or 0)
  out[6] = window(c .. ':f', 7200, 12, 0)
  local seen = p .. 'cm:' .. card .. ':' .. merchant
  out[7] = redis.call('EXISTS', seen) == 1 and 0 or 1
  if record then redis.call('SET', seen, '1', 'EX', 30 * 86400) end
else
  for i = 1, 7 do out[i] = 0 end
end
local m = p .. 'm:' .. merchant
out[8] = window(m .. ':n', 10, 6, one)
out[9] = window(m .. ':n', 600, 6, one)
if ip ~= '' then
  local i = p .. 'i:' .. ip
  out[10] = window(i .. ':n', 10, 6, one)
  out[11] = window(i .. ':n', 600, 6, one)
  local set = i .. ':cards'
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now - 3600)
  out[13] = (tag ~= '' and redis.call('ZSCORE', set, tag)) and 1 or 0
  if record and tag ~= '' then
    redis.call('ZADD', set, now, tag)
    redis.call('ZREMRANGEBYRANK', set, 0, -65)
    redis.call('EXPIRE', set, 3660)
  end
  out[12] = redis.call('ZCARD', set)
  out[14] = window(i .. ':r', 600, 6, 0)
  out[15] = window(i .. ':d', 600, 6, 0)
else
  for k = 10, 15 do out[k] = 0 end
end
if bin ~= '' then out[16] = window(p .. 'b:' .. bin .. ':n', 600, 6, one) else out[16] = 0 end
return out
)lua";

// ARGV: now, ip, card key, declined (1|0), auth failure (1|0), prefix.
constexpr const char* feedback_script = R"lua(
local now, ip, card, p = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[6]
local function add(key, width, buckets)
  local k = key .. ':' .. width .. ':' .. math.floor(now / width)
  redis.call('INCRBY', k, 1)
  redis.call('EXPIRE', k, width * buckets + 60)
end
if ip ~= '' then
  add(p .. 'i:' .. ip .. ':r', 600, 6)
  if ARGV[4] == '1' then add(p .. 'i:' .. ip .. ':d', 600, 6) end
end
if card ~= '' and ARGV[5] == '1' then add(p .. 'c:' .. card .. ':f', 7200, 12) end
return 1
)lua";

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// One connection per calling thread (the blocking pool's), made on first use and after
// any failure.
thread_local std::unique_ptr<redisContext, ContextDeleter> connection;

redisContext* connect(const RedisOptions& o) {
  if (connection && connection->err == 0) return connection.get();
  const timeval tv{static_cast<time_t>(o.timeout.count() / 1000), static_cast<suseconds_t>((o.timeout.count() % 1000) * 1000)};
  connection.reset(redisConnectWithTimeout(o.host.c_str(), o.port, tv));
  if (!connection || connection->err != 0) {
    connection.reset();
    return nullptr;
  }
  redisSetTimeout(connection.get(), tv);
  return connection.get();
}

// EVAL with the script text (Redis caches compiled scripts by their SHA1 itself). A
// connection the server closed (a restart, an idle timeout) is replaced and the command
// sent once more: it never reached a live server. A timeout is not retried — the script
// may have run — and counts as unavailable.
Reply eval(const RedisOptions& o, const char* script, const std::vector<std::string>& args) {
  std::vector<const char*> argv{"EVAL", script, "0"};
  std::vector<std::size_t> lengths{4, std::strlen(script), 1};
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    redisContext* c = connect(o);
    if (!c) return nullptr;
    Reply reply(static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (reply && reply->type != REDIS_REPLY_ERROR) return reply;
    const bool closed_by_server = !reply && (c->err == REDIS_ERR_EOF || (c->err == REDIS_ERR_IO && errno != EAGAIN &&
                                                                         errno != EWOULDBLOCK && errno != EINPROGRESS));
    connection.reset();  // a broken or confused connection is not reused
    if (!closed_by_server) return nullptr;
  }
  return nullptr;
}

}  // namespace

RedisScreener::RedisScreener(RedisOptions options) : options_(std::move(options)), local_(1) {}
RedisScreener::~RedisScreener() = default;

bool RedisScreener::signals(const Observation& o, std::int64_t now, bool record, SignalValues& v) {
  v = {};
  auto set = [&](Signal s, double value) { v[static_cast<std::size_t>(s)] = value; };
  set(Signal::amount, static_cast<double>(o.amount));
  const std::string tag = o.card_key.substr(0, 16);
  Reply reply = eval(options_, screen_script,
                     {std::to_string(now), std::to_string(o.amount), record ? "1" : "0", o.card_key, o.merchant,
                      o.client_ip, o.bin, tag, options_.prefix});
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 16) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  auto at = [&](std::size_t i) { return static_cast<double>(reply->element[i]->integer); };
  const double one = record ? 0 : 1;  // peeking: this request counts in the totals only
  const bool card = !o.card_key.empty();
  if (card) {
    set(Signal::card_attempts_1m, at(0) + one);
    set(Signal::card_attempts_1h, at(1) + one);
    set(Signal::card_attempts_24h, at(2) + one);
    set(Signal::card_amount_1h, at(3) + (record ? 0 : static_cast<double>(o.amount)));
    set(Signal::card_amount_24h, at(4) + (record ? 0 : static_cast<double>(o.amount)));
    set(Signal::card_auth_failures_24h, at(5));
    set(Signal::card_first_seen_at_merchant, at(6));
  }
  set(Signal::merchant_attempts_1m, at(7) + one);
  set(Signal::merchant_attempts_1h, at(8) + one);
  if (!o.client_ip.empty()) {
    set(Signal::ip_attempts_1m, at(9) + one);
    set(Signal::ip_attempts_1h, at(10) + one);
    set(Signal::ip_distinct_cards_1h, at(11) + (!record && card && at(12) == 0 ? 1 : 0));
    set(Signal::ip_decline_ratio_1h, at(13) > 0 ? at(14) / at(13) : 0);
  }
  if (!o.bin.empty()) set(Signal::bin_attempts_1h, at(15) + one);
  if (!o.billing_country.empty() && !o.issuing_country.empty()) {
    set(Signal::billing_country_mismatch, o.billing_country != o.issuing_country ? 1 : 0);
  }
  if (o.amount > 0) set(Signal::amount_zscore, local_.amount_zscore(o.merchant, o.amount, record));
  return true;
}

Decision RedisScreener::screen(const Profile& profile, const Observation& observation, std::int64_t now) {
  SignalValues v;
  if (signals(observation, now, true, v)) return evaluate(profile, v);
  Decision d;
  d.signals = v;
  d.dry_run = profile.dry_run;
  d.state_unavailable = true;
  if (options_.fail_closed) {
    d.verdict = Outcome::block;
    d.reason = "fraud_state_unavailable";
  }
  d.outcome = profile.dry_run ? Outcome::allow : d.verdict;
  return d;
}

SignalValues RedisScreener::peek(const Observation& observation, std::int64_t now) {
  SignalValues v;
  signals(observation, now, false, v);
  return v;
}

void RedisScreener::feedback(const Observation& o, const Feedback& f, std::int64_t now) {
  if (o.client_ip.empty() && !f.auth_failure) return;
  if (!eval(options_, feedback_script,
            {std::to_string(now), o.client_ip, o.card_key, f.declined ? "1" : "0", f.auth_failure ? "1" : "0",
             options_.prefix})) {
    errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace paygate::fraud
