// One ISO 8583 merchant (or acquirer host) connection over TLS: frames are read as they
// come, each message is handed to the payment flow (gateway/flow/payment_flow.h) while
// the next is read, and answers are written back as they complete, in any order, through
// one bounded write queue. The flow's outcome becomes DE 39 through one table
// (gateway/iso/answers.h). This file frames ISO 8583 and nothing else: length headers,
// multiplexing, duplicate transmissions, network management (0800) and back-pressure.
// A malformed frame closes the connection (with an audit record).
#include <chrono>
#include <deque>
#include <unordered_set>

#include "gateway/flow/iso_message.h"
#include "gateway/iso/answers.h"
#include "gateway/log.h"
#include "gateway/merchant_connection.h"
#include "gateway/upstream/iso_links.h"
#include "gateway/worker.h"
#include "net/iso_frames.h"
#include "protocol/iso8583/codec.h"

namespace paygate::gateway {
namespace {

using namespace net;
namespace iso = protocol::iso8583;
using Clock = std::chrono::steady_clock;

// The merchant-side key of a request in flight: a second request with the same key while
// the first is open is a duplicate transmission.
const std::vector<int> duplicate_key_fields{11, 41, 42};

class IsoSession : MerchantConnection, public std::enable_shared_from_this<IsoSession> {
 public:
  IsoSession(Worker& worker, ListenerContext& listener, tcp::socket socket)
      : MerchantConnection(worker, listener, std::move(socket)),
        iso_(*worker.current->shared->config->listeners[listener.index].iso),
        slot_freed_(worker.io),
        opened_(Clock::now()) {}

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    if (!co_await handshake()) co_return;
    // Only a certificate can name an acquirer host here: one the merchants do not know is
    // refused at once, by the same identification every message gets again.
    {
      Exchange x = start_exchange();
      const Identity identity = identify(*x.view->shared, x.credentials);
      if (identity.failure) {
        worker_.runtime.metrics.authentication_failure();
        co_await worker_.flow.record_security_event(x, "authentication_failure", identity.failure);
        log::warn("iso8583 connection refused", {{"listener", listener_.name}, {"reason", identity.failure}});
        co_await close();
        co_return;
      }
    }
    co_await read_requests();
    // Let the requests in flight finish (their answers still go out), then close.
    const auto deadline = Clock::now() + limits_.write_timeout;
    while (in_flight_ > 0 && Clock::now() < deadline && open_) {
      slot_freed_.expires_after(std::chrono::milliseconds(50));
      co_await slot_freed_.async_wait(use_tuple);
    }
    co_await close();
  }

 private:
  asio::awaitable<void> read_requests() {
    bool first = true;
    while (open_ && !refused_) {
      if (worker_.runtime.draining.load(std::memory_order_relaxed)) break;
      if (Clock::now() - opened_ >= iso_.max_age) {
        log::info("iso8583 connection reached max_age", {{"listener", listener_.name}});
        break;
      }
      if (in_flight_ >= iso_.max_in_flight) {  // back-pressure: read on when one finishes
        slot_freed_.expires_after(std::chrono::seconds(1));
        co_await slot_freed_.async_wait(use_tuple);
        continue;
      }
      IdleWait waiting([this] { stream_.next_layer().cancel(); });
      worker_.idle_waits.push_back(waiting);
      // An idle wait never outlasts the connection's max_age.
      const auto age_left = std::chrono::duration_cast<std::chrono::milliseconds>(iso_.max_age - (Clock::now() - opened_));
      const auto idle = std::min<std::chrono::milliseconds>(first ? limits_.header_timeout : limits_.idle_timeout, age_left);
      auto frame = co_await read_frame(stream_, iso_.framing, iso_.max_frame, idle, limits_.header_timeout);
      waiting.unlink();
      first = false;
      if (frame.status == FrameStatus::too_large || frame.status == FrameStatus::bad_header) {
        const char* reason = frame.status == FrameStatus::too_large ? "frame_too_large" : "bad_frame_header";
        log::warn("iso8583 connection closed", {{"listener", listener_.name}, {"reason", reason}});
        co_await worker_.flow.record_security_event(start_exchange(), "iso8583_connection_closed", reason);
        break;
      }
      if (frame.status != FrameStatus::ok) break;  // closed, idle or too slow
      auto request = iso::unpack(*iso_.spec, frame.body);
      if (!request.ok()) {
        // Field boundaries are lost: nothing can be answered reliably on this connection.
        log::warn("iso8583 malformed message", {{"listener", listener_.name}, {"error", request.error->to_string()}});
        co_await worker_.flow.record_security_event(start_exchange(), "iso8583_connection_closed", "malformed_message");
        break;
      }
      ++in_flight_;
      const std::size_t bytes_in = frame.body.size();
      asio::co_spawn(worker_.io, handle(shared_from_this(), std::move(request.value), bytes_in), asio::detached);
    }
  }

  asio::awaitable<void> handle(std::shared_ptr<IsoSession> /*keep_alive*/, iso::Message request, std::size_t bytes_in) {
    Exchange x = start_exchange();
    x.bytes_in = bytes_in;
    const std::string mti = request.mti;
    const std::string stan(request.fields.get(11));
    iso::Message answer;
    const std::string key = match_key(request, duplicate_key_fields);
    if (request.mti == "0800") {  // network management is hop by hop: answered here
      answer = generated_answer(request, "00");
    } else if (in_flight_keys_.contains(key)) {
      x.upstream = "duplicate";
      x.outcome = Outcome::duplicate;
      answer = generated_answer(request, iso_.duplicate_code);
    } else {
      in_flight_keys_.insert(key);
      auto message = std::make_shared<IsoMessage>(std::move(request), iso_.spec);
      x.message = message;
      co_await worker_.flow.run(x);
      in_flight_keys_.erase(key);
      answer = wire_answer(x, *message);
      // A merchant the configuration no longer knows gets this answer and no more.
      if (x.outcome == Outcome::unauthenticated) refused_ = true;
    }
    std::string code(answer.fields.get(39));
    auto packed = iso::pack(*iso_.spec, answer);
    if (!packed.ok()) {
      log::warn("iso8583 answer cannot be encoded", {{"request_id", x.request_id.view()}, {"error", packed.error->to_string()}});
      const iso::Message& original = x.message ? static_cast<IsoMessage&>(*x.message).request() : answer;
      answer = generated_answer(original, "96");
      code = "96";
      packed = iso::pack(*iso_.spec, answer);
    }
    if (packed.ok()) enqueue(framed(iso_.framing, packed.value));
    WireAnswer wire;
    wire.record_type = "iso8583_exchange";
    wire.mti = mti;
    wire.stan = stan;
    wire.response_code = code;
    wire.bytes_out = packed.ok() ? packed.value.size() : 0;
    co_await worker_.flow.record(x, wire);
    --in_flight_;
    slot_freed_.cancel();
    if (refused_ && in_flight_ == 0) abort_after_writes();
  }

  // The flow's outcome on the wire: the processor's answer, or one paygate makes.
  iso::Message wire_answer(const Exchange& x, IsoMessage& message) {
    if (x.outcome == Outcome::answered) return std::move(message.answer());
    const Snapshot& snapshot = *x.view->shared;
    const config::Processor* processor =
        x.route ? snapshot.processors[snapshot.route_processor[snapshot.route_index(*x.route)]].config : nullptr;
    const std::string_view block_code = x.screening ? std::string_view(x.screening->profile().block_code) : "";
    return generated_answer(message.request(), response_code_for(x.outcome, iso_, processor, block_code));
  }

  // Answers leave in completion order through one writer. A peer that stops reading
  // fills the queue; past max_write_queue the connection is closed (it will get no more).
  void enqueue(std::vector<std::uint8_t> bytes) {
    if (!open_ || bytes.empty()) return;
    if (out_.size() >= iso_.max_write_queue) {
      log::warn("iso8583 connection closed", {{"listener", listener_.name}, {"reason", "write_queue_full"}});
      abort_connection();
      return;
    }
    out_.push_back(std::move(bytes));
    if (!writing_) asio::co_spawn(worker_.io, write_all(shared_from_this()), asio::detached);
  }

  asio::awaitable<void> write_all(std::shared_ptr<IsoSession> /*keep_alive*/) {
    writing_ = true;
    while (!out_.empty() && open_) {
      // Everything queued goes out in one gathered write (one TLS record run, one syscall).
      std::vector<std::vector<std::uint8_t>> batch(std::make_move_iterator(out_.begin()),
                                                   std::make_move_iterator(out_.end()));
      out_.clear();
      std::vector<asio::const_buffer> buffers;
      buffers.reserve(batch.size());
      for (const auto& b : batch) buffers.push_back(asio::buffer(b));
      stream_.next_layer().expires_after(limits_.write_timeout);
      auto [ec, n] = co_await asio::async_write(stream_, buffers, use_tuple);
      if (ec) abort_connection();
    }
    writing_ = false;
  }

  // A refused peer: stop reading; close() sends what is queued, then closes.
  void abort_after_writes() { stream_.next_layer().cancel(); }

  void abort_connection() {
    open_ = false;
    out_.clear();
    beast::error_code ignored;
    stream_.next_layer().socket().close(ignored);
  }

  asio::awaitable<void> close() {
    if (!open_) co_return;
    // Answers still queued go out first.
    const auto deadline = Clock::now() + limits_.write_timeout;
    while (writing_ && Clock::now() < deadline) {
      asio::steady_timer pause(worker_.io, std::chrono::milliseconds(10));
      co_await pause.async_wait(use_tuple);
    }
    open_ = false;
    co_await shut_down();
  }

  const config::IsoListener iso_;
  asio::steady_timer slot_freed_;
  Clock::time_point opened_;
  bool open_ = true;
  bool refused_ = false;  // the merchant is no longer configured: no more messages are read
  std::uint32_t in_flight_ = 0;
  std::unordered_set<std::string> in_flight_keys_;
  std::deque<std::vector<std::uint8_t>> out_;
  bool writing_ = false;
};

}  // namespace

asio::awaitable<void> serve_iso8583(Worker& worker, ListenerContext& listener, tcp::socket socket) {
  auto session = std::make_shared<IsoSession>(worker, listener, std::move(socket));
  co_await session->run();
}

}  // namespace paygate::gateway
