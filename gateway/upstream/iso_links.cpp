#include "gateway/upstream/iso_links.h"

#include <algorithm>
#include <ctime>
#include <deque>
#include <optional>
#include <unordered_map>

#include "gateway/log.h"
#include "net/iso_frames.h"
#include "gateway/upstream/endpoints.h"
#include "net/tls_context.h"
#include "protocol/iso8583/codec.h"

namespace paygate::gateway {

using namespace net;
namespace iso = protocol::iso8583;
using Clock = std::chrono::steady_clock;

std::string match_key(const iso::Message& message, const std::vector<int>& fields) {
  std::string key;
  for (int f : fields) {
    key += message.fields.get(f);
    key += '|';
  }
  return key;
}

namespace {

// DE 7: transmission date and time, MMDDhhmmss in UTC.
std::string transmission_time() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%m%d%H%M%S", &utc);
  return text;
}

}  // namespace

struct IsoLinks::Link : std::enable_shared_from_this<IsoLinks::Link> {
  struct Pending {
    asio::steady_timer* wake;
    std::optional<iso::Message>* answer;
    bool* dropped;
  };

  Link(asio::any_io_executor ex, const ProcessorContext& p, Metrics::ProcessorCounters& c, std::uint32_t index_)
      : executor(std::move(ex)), processor(p), counters(c), backoff_timer(executor), index(index_) {}

  asio::any_io_executor executor;
  const ProcessorContext& processor;
  Metrics::ProcessorCounters& counters;
  std::unique_ptr<beast::tcp_stream> connecting;  // while a TCP connect is under way
  std::unique_ptr<SocketTlsStream> stream;
  asio::steady_timer backoff_timer;
  std::uint32_t index;
  bool up = false;
  bool closed = false;
  bool writing = false;
  std::unordered_map<std::string, Pending> pending;
  std::deque<std::vector<std::uint8_t>> out;
  Clock::time_point last_traffic = Clock::now();
  std::uint32_t echo_stan = 0;

  const config::IsoProcessor& iso_config() const { return *processor.config->iso; }

  void start() { asio::co_spawn(executor, maintain(shared_from_this()), asio::detached); }

  void close() {
    closed = true;
    backoff_timer.cancel();
    if (connecting) connecting->close();
    if (stream) {
      beast::error_code ignored;
      stream->next_layer().socket().close(ignored);
    }
    fail_all();
  }

  // Every request in flight on this link ends now, as dropped.
  void fail_all() {
    auto waiting = std::move(pending);
    pending.clear();
    for (auto& [key, p] : waiting) {
      *p.dropped = true;
      p.wake->cancel();
    }
  }

  void send(std::vector<std::uint8_t> bytes) {
    out.push_back(std::move(bytes));
    if (!writing) asio::co_spawn(executor, write_all(shared_from_this()), asio::detached);
  }

  asio::awaitable<void> write_all(std::shared_ptr<Link> /*keep_alive*/) {
    writing = true;
    while (!out.empty() && up && stream) {
      auto bytes = std::move(out.front());
      out.pop_front();
      stream->next_layer().expires_after(processor.config->timeouts.response);
      auto [ec, n] = co_await asio::async_write(*stream, asio::buffer(bytes), use_tuple);
      if (ec) {
        beast::error_code ignored;
        stream->next_layer().socket().close(ignored);
        break;
      }
      last_traffic = Clock::now();
    }
    out.clear();
    writing = false;
  }

  asio::awaitable<bool> connect() {
    const config::Processor& p = *processor.config;
    connecting = std::make_unique<beast::tcp_stream>(executor);
    const auto rec = co_await connect_processor(processor, Clock::now() + p.timeouts.connect, *connecting, stream);
    connecting.reset();
    if (rec) {
      stream.reset();
      log::warn("iso8583 link connect failed", {{"processor", p.name}, {"link", index}, {"reason", rec.message()}});
      co_return false;
    }
    co_return true;
  }

  // Connect, serve until the link drops, back off, again — until closed.
  asio::awaitable<void> maintain(std::shared_ptr<Link> self) {
    auto backoff = iso_config().reconnect_min;
    while (!closed) {
      if (co_await connect() && !closed) {
        up = true;
        last_traffic = Clock::now();
        counters.links_up.fetch_add(1, std::memory_order_relaxed);
        log::info("iso8583 link up", {{"processor", processor.config->name}, {"link", index}});
        backoff = iso_config().reconnect_min;
        asio::co_spawn(executor, echo_loop(self), asio::detached);
        co_await read_loop();
        up = false;
        counters.links_up.fetch_sub(1, std::memory_order_relaxed);
        if (!closed) {
          counters.iso_link_drops.fetch_add(1, std::memory_order_relaxed);
          log::warn("iso8583 link down", {{"processor", processor.config->name}, {"link", index}, {"in_flight", pending.size()}});
        }
        fail_all();
      }
      stream.reset();
      if (closed) break;
      backoff_timer.expires_after(backoff);
      co_await backoff_timer.async_wait(use_tuple);
      backoff = std::min(backoff * 2, iso_config().reconnect_max);
    }
  }

  asio::awaitable<void> read_loop() {
    const auto& cfg = iso_config();
    for (;;) {
      // Idle links are watched by the echo loop; the read itself waits as long as it must.
      auto frame = co_await read_frame(*stream, cfg.framing, cfg.max_frame, std::chrono::hours(24),
                                       processor.config->timeouts.response);
      if (frame.status != FrameStatus::ok) break;
      last_traffic = Clock::now();
      auto answer = iso::unpack(*cfg.spec, frame.body);
      if (!answer.ok()) {
        counters.iso_bad_answers.fetch_add(1, std::memory_order_relaxed);
        log::warn("iso8583 answer unreadable",
                  {{"processor", processor.config->name}, {"link", index}, {"error", answer.error->to_string()}});
        continue;
      }
      const std::string key = match_key(answer.value, cfg.match_fields);
      auto it = pending.find(key);
      if (it == pending.end()) {
        counters.iso_late.fetch_add(1, std::memory_order_relaxed);
        log::warn("iso8583 answer matches no request",
                  {{"processor", processor.config->name}, {"link", index}, {"mti", answer.value.mti}});
        continue;
      }
      Pending p = it->second;
      pending.erase(it);
      *p.answer = std::move(answer.value);
      p.wake->cancel();
    }
    beast::error_code ignored;
    stream->next_layer().socket().close(ignored);
  }

  // 0800 echo tests on a link idle for echo_interval; a missing 0810 means a dead link.
  asio::awaitable<void> echo_loop(std::shared_ptr<Link> /*keep_alive*/) {
    const auto interval = iso_config().echo_interval;
    asio::steady_timer timer(executor);
    while (up && !closed) {
      timer.expires_after(interval);
      co_await timer.async_wait(use_tuple);
      if (!up || closed) break;
      if (Clock::now() - last_traffic < interval) continue;
      iso::Message echo;
      echo.mti = "0800";
      echo.fields.set(7, transmission_time());
      char stan[8];
      echo_stan = echo_stan % 999999 + 1;
      std::snprintf(stan, sizeof stan, "%06u", echo_stan);
      echo.fields.set(11, stan);
      echo.fields.set(70, "301");
      auto result = co_await exchange_on(echo);
      if (result.fault != UpstreamFault::none && up) {
        log::warn("iso8583 echo test failed",
                  {{"processor", processor.config->name}, {"link", index}, {"fault", to_string(result.fault)}});
        beast::error_code ignored;
        if (stream) stream->next_layer().socket().close(ignored);
      }
    }
  }

  asio::awaitable<UpstreamAnswer> exchange_on(const iso::Message& request) {
    auto self = shared_from_this();
    const auto& cfg = iso_config();
    UpstreamAnswer result;
    auto packed = iso::pack(*cfg.spec, request);
    std::vector<std::uint8_t> bytes = packed.ok() ? framed(cfg.framing, packed.value) : std::vector<std::uint8_t>{};
    if (bytes.empty()) {
      log::warn("iso8583 request cannot be encoded",
                {{"processor", processor.config->name},
                 {"error", packed.ok() ? std::string("frame too large") : packed.error->to_string()}});
      result.fault = UpstreamFault::unavailable;
      co_return result;
    }
    const std::string key = match_key(request, cfg.match_fields);
    asio::steady_timer wake(executor, processor.config->timeouts.response);
    std::optional<iso::Message> answer;
    bool dropped = false;
    pending.emplace(key, Pending{&wake, &answer, &dropped});
    send(std::move(bytes));
    co_await wake.async_wait(use_tuple);
    if (answer) {
      counters.iso_matched.fetch_add(1, std::memory_order_relaxed);
      result.message = std::move(*answer);
      co_return result;
    }
    if (dropped) {
      result.fault = UpstreamFault::link_dropped;
      co_return result;
    }
    pending.erase(key);
    counters.iso_timeouts.fetch_add(1, std::memory_order_relaxed);
    result.fault = UpstreamFault::timeout;
    co_return result;
  }
};

IsoLinks::IsoLinks(asio::any_io_executor executor, const ProcessorContext& processor, std::uint32_t links,
                               Metrics::ProcessorCounters& counters)
    : executor_(std::move(executor)), processor_(processor) {
  for (std::uint32_t i = 0; i < std::max(1u, links); ++i) {
    links_.push_back(std::make_shared<Link>(executor_, processor_, counters, i));
    links_.back()->start();
  }
}

IsoLinks::~IsoLinks() {
  for (auto& link : links_) link->close();
}

asio::awaitable<UpstreamAnswer> IsoLinks::exchange(const UpstreamRequest& upstream_request) {
  UpstreamAnswer result;
  const auto* message = std::get_if<iso::Message>(&upstream_request.message);
  if (!message) {
    result.fault = UpstreamFault::unavailable;  // a caller bug: never an ISO 8583 message
    co_return result;
  }
  const iso::Message& request = *message;
  const std::string key = match_key(request, processor_.config->iso->match_fields);
  const auto deadline = Clock::now() + processor_.config->timeouts.connect;
  for (;;) {
    std::shared_ptr<Link> chosen;
    bool duplicate = false;
    for (std::size_t i = 0; i < links_.size(); ++i) {
      auto& link = links_[(next_ + i) % links_.size()];
      if (!link->up) continue;
      if (link->pending.contains(key)) {
        duplicate = true;
        continue;
      }
      chosen = link;
      break;
    }
    ++next_;
    if (chosen) {
      result = co_await chosen->exchange_on(request);
      break;
    }
    if (duplicate) {
      result.fault = UpstreamFault::duplicate;
      break;
    }
    // No link is up (yet): wait for one, up to the connect timeout.
    if (Clock::now() >= deadline) {
      result.fault = UpstreamFault::unavailable;
      break;
    }
    asio::steady_timer pause(executor_, std::chrono::milliseconds(10));
    co_await pause.async_wait(use_tuple);
  }
  co_return result;
}

}  // namespace paygate::gateway
