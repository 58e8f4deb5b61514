#include "fraud/redis_store.h"

#include <algorithm>
#include <memory>
#include <string_view>
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

// One connection per calling thread (the blocking pool's) and store, made on first use
// and after any failure.
struct ThreadConnection {
  std::uint64_t store = 0;
  std::unique_ptr<RedisConnection> connection;
};
thread_local ThreadConnection thread_connection;
std::atomic<std::uint64_t> next_store_id{1};

RedisConnection* connect(const RedisOptions& o, std::uint64_t store) {
  auto& t = thread_connection;
  if (t.store == store && t.connection && t.connection->failure() == RedisConnection::Failure::none)
    return t.connection.get();
  t.connection.reset();
  t.store = store;
  RedisConnection::Failure failure{};
  auto c = RedisConnection::open(o.host, o.port, o.tls ? &*o.tls : nullptr, o.timeout, failure);
  if (!c) return nullptr;
  if (!o.password.empty()) {
    // AUTH [username] password. A refusal leaves the state unavailable.
    std::vector<std::string_view> auth{"AUTH"};
    if (!o.username.empty()) auth.push_back(o.username);
    auth.push_back(o.password);
    const auto reply = c->command(auth);
    if (!reply || reply->type == resp::Reply::Type::error) return nullptr;
  }
  t.connection = std::move(c);
  return t.connection.get();
}

// EVAL with the script text (Redis caches compiled scripts by their SHA1 itself). A
// connection the server closed (a restart, an idle timeout) is replaced and the command
// sent once more: it never reached a live server. A timeout is not retried — the script
// may have run — and counts as unavailable.
std::optional<resp::Reply> eval(const RedisOptions& o, std::uint64_t store, std::span<const std::string_view> argv) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    RedisConnection* c = connect(o, store);
    if (!c) return std::nullopt;
    auto reply = c->command(argv);
    if (reply && reply->type != resp::Reply::Type::error) return reply;
    const bool closed_by_server = !reply && c->failure() == RedisConnection::Failure::closed;
    thread_connection.connection.reset();  // a broken or confused connection is not reused
    if (!closed_by_server) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

RedisScreener::RedisScreener(RedisOptions options)
    : Screener(std::make_unique<RedisStore>(options), options.fail_closed) {}

RedisStore::RedisStore(RedisOptions options)
    : options_(std::move(options)), id_(next_store_id.fetch_add(1, std::memory_order_relaxed)) {}
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
  std::vector<std::string_view> argv{"EVAL", apply_script, "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto reply = eval(options_, id_, argv);
  const auto integers = [&] {
    return std::all_of(reply->elements.begin(), reply->elements.end(), [](const resp::Reply& e) {
      return e.type == resp::Reply::Type::integer && e.integer >= 0;
    });
  };
  if (!reply || reply->type != resp::Reply::Type::array || reply->elements.size() != reads.size() + 2 ||
      !integers()) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  for (std::size_t i = 0; i < reads.size(); ++i) before[i] = static_cast<std::uint64_t>(reply->elements[i].integer);
  distinct_result.before = static_cast<std::uint64_t>(reply->elements[reads.size()].integer);
  distinct_result.seen_before = reply->elements[reads.size() + 1].integer == 1;
  return true;
}

}  // namespace paygate::fraud
