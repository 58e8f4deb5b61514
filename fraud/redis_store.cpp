#include "fraud/redis_store.h"

#include <hiredis/hiredis.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace paygate::fraud {
namespace {

// One generic script for every signal: the windows to read (and add to) come as
// arguments, built from the signal table, so a new signal never touches Lua.
// KEYS: none (single Redis, not Cluster: key names are built from the prefix).
// ARGV: now, record (1|0), prefix, n, then n times (key, bucket seconds, buckets, add),
//       then the distinct-cards query: IP key ('' for none), card tag ('' for none).
// Returns: the n window totals before this request, then the IP's distinct cards before
// it and whether this card was among them (1|0).
constexpr const char* apply_script = R"lua(
local now = tonumber(ARGV[1])
local record = ARGV[2] == '1'
local p = ARGV[3]
local n = tonumber(ARGV[4])
local out = {}
for i = 0, n - 1 do
  local key, width, buckets, add = p .. ARGV[5 + 4 * i], tonumber(ARGV[6 + 4 * i]), tonumber(ARGV[7 + 4 * i]), tonumber(ARGV[8 + 4 * i])
  local b = math.floor(now / width)
  local names = {}
  for k = 0, buckets - 1 do names[#names + 1] = key .. ':' .. width .. ':' .. (b - k) end
  local total = 0
  for _, v in ipairs(redis.call('MGET', unpack(names))) do
    if v then total = total + tonumber(v) end
  end
  out[#out + 1] = total
  if record and add > 0 then
    redis.call('INCRBY', names[1], add)
    redis.call('EXPIRE', names[1], width * buckets + 60)
  end
end
local ip, tag = ARGV[5 + 4 * n], ARGV[6 + 4 * n]
if ip ~= '' then
  local set = p .. ip
  if record then redis.call('ZREMRANGEBYSCORE', set, '-inf', now - 3600) end
  out[#out + 1] = redis.call('ZCOUNT', set, now - 3599, '+inf')
  local score = tag ~= '' and redis.call('ZSCORE', set, tag)
  out[#out + 1] = (score and tonumber(score) > now - 3600) and 1 or 0
  if record and tag ~= '' then
    redis.call('ZADD', set, now, tag)
    redis.call('ZREMRANGEBYRANK', set, 0, -65)
    redis.call('EXPIRE', set, 3660)
  end
else
  out[#out + 1] = 0
  out[#out + 1] = 0
end
return out
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
  const timeval tv{static_cast<time_t>(o.timeout.count() / 1000),
                   static_cast<suseconds_t>((o.timeout.count() % 1000) * 1000)};
  connection.reset(redisConnectWithTimeout(o.host.c_str(), o.port, tv));
  if (!connection || connection->err != 0) {
    connection.reset();
    return nullptr;
  }
  redisSetTimeout(connection.get(), tv);
  if (!o.password.empty()) {
    // AUTH [username] password, as arguments (never formatted into a command string).
    std::vector<const char*> argv{"AUTH"};
    std::vector<std::size_t> lengths{4};
    if (!o.username.empty()) {
      argv.push_back(o.username.data());
      lengths.push_back(o.username.size());
    }
    argv.push_back(o.password.data());
    lengths.push_back(o.password.size());
    Reply reply(static_cast<redisReply*>(
        redisCommandArgv(connection.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply || reply->type == REDIS_REPLY_ERROR) {  // refused: the state is unavailable
      connection.reset();
      return nullptr;
    }
  }
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
    Reply reply(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (reply && reply->type != REDIS_REPLY_ERROR) return reply;
    const bool closed_by_server =
        !reply && (c->err == REDIS_ERR_EOF || (c->err == REDIS_ERR_IO && errno != EAGAIN &&
                                               errno != EWOULDBLOCK && errno != EINPROGRESS));
    connection.reset();  // a broken or confused connection is not reused
    if (!closed_by_server) return nullptr;
  }
  return nullptr;
}

}  // namespace

RedisScreener::RedisScreener(RedisOptions options)
    : Screener(std::make_unique<RedisStore>(options), options.fail_closed) {}

RedisStore::RedisStore(RedisOptions options) : options_(std::move(options)) {}
RedisStore::~RedisStore() = default;

bool RedisStore::apply(std::span<const WindowRead> reads, const DistinctCards* distinct, bool record,
                       std::int64_t now, std::span<std::uint64_t> before, DistinctResult& distinct_result) {
  const auto windows = tracked_windows();
  std::vector<std::string> args{std::to_string(now), record ? "1" : "0", options_.prefix,
                                std::to_string(reads.size())};
  args.reserve(6 + 4 * reads.size());
  for (const auto& r : reads) {
    const TrackedWindow& t = windows[r.window];
    // <kind>:<key>:<counter>, e.g. "c:<fingerprint>:n"; the script adds ":<width>:<bucket>".
    args.push_back(std::string(to_string(t.key)) + ":" + std::string(r.key) + ":" +
                   std::string(to_string(t.counter)));
    args.push_back(std::to_string(t.window.bucket_seconds));
    args.push_back(std::to_string(t.window.buckets));
    args.push_back(std::to_string(r.add));
  }
  const bool with_distinct = distinct && !distinct->ip.empty();
  args.push_back(with_distinct ? "i:" + std::string(distinct->ip) + ":cards" : "");
  args.push_back(with_distinct ? std::string(distinct->card_key.substr(0, 16)) : "");
  Reply reply = eval(options_, apply_script, args);
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != reads.size() + 2) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  for (std::size_t i = 0; i < reads.size(); ++i)
    before[i] = static_cast<std::uint64_t>(reply->element[i]->integer);
  distinct_result.before = static_cast<std::uint64_t>(reply->element[reads.size()]->integer);
  distinct_result.seen_before = reply->element[reads.size() + 1]->integer == 1;
  return true;
}

}  // namespace paygate::fraud
