#include "sim/iso_server.h"

#include <deque>
#include <random>
#include <stdexcept>
#include <thread>

#include "card/luhn.h"
#include "net/asio.h"
#include "net/iso_frames.h"
#include "net/tls_context.h"
#include "protocol/iso8583/codec.h"

namespace paygate::sim {

using namespace net;
namespace iso = protocol::iso8583;

struct IsoSimServer::State {
  IsoSimOptions options;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::shared_ptr<ssl::context> tls;
  std::thread thread;
};

namespace {

using State = IsoSimServer::State;

// Fields an answer repeats from its request.
constexpr int echoed[] = {2, 3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49, 70, 90};

std::string response_mti(const std::string& mti) {
  std::string out = mti;
  if (out.size() == 4 && out[2] >= '0' && out[2] <= '8') out[2] = static_cast<char>(out[2] + 1);
  return out;
}

// One connection: reads requests, answers each after its own delay; one writer at a time.
class IsoSimSession : public std::enable_shared_from_this<IsoSimSession> {
 public:
  IsoSimSession(State& state, tcp::socket socket)
      : state_(state), stream_(std::move(socket), *state.tls), rng_(std::random_device{}()) {}

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    stream_.next_layer().expires_after(std::chrono::seconds(5));
    auto [hec] = co_await stream_.async_handshake(ssl::stream_base::server, use_tuple);
    if (hec) co_return;
    for (;;) {
      auto frame = co_await read_frame(stream_, state_.options.framing, 65535, std::chrono::hours(1), std::chrono::seconds(10));
      if (frame.status != FrameStatus::ok) break;
      auto request = iso::unpack(*state_.options.spec, frame.body);
      if (!request.ok()) continue;  // a processor drops what it cannot parse
      asio::co_spawn(stream_.get_executor(), self->answer(std::move(request.value)), asio::detached);
    }
    closed_ = true;
    beast::error_code ignored;
    stream_.next_layer().socket().close(ignored);
  }

 private:
  asio::awaitable<void> answer(iso::Message request) {
    auto self = shared_from_this();
    const std::string amount(request.fields.get(4));
    const std::string fault = amount.size() >= 3 ? amount.substr(amount.size() - 3) : "";
    if (fault == "901") co_return;
    auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, state_.options.max_delay_ms)(rng_));
    if (fault == "905") delay = std::chrono::milliseconds(1500);
    if (delay.count() > 0) {
      asio::steady_timer timer(stream_.get_executor(), delay);
      co_await timer.async_wait(use_tuple);
    }
    if (closed_) co_return;
    if (fault == "904") {
      closed_ = true;
      beast::error_code ignored;
      stream_.next_layer().socket().close(ignored);
      co_return;
    }
    std::vector<std::uint8_t> body;
    if (fault == "903") {
      body.assign(40, 0xEE);
    } else {
      iso::Message reply;
      reply.mti = response_mti(request.mti);
      for (int f : echoed) {
        if (f == 2 && !state_.options.echo_pan) continue;
        if (request.has(f)) reply.fields.set(f, request.fields.get(f));
      }
      if (fault == "902" && request.has(11)) {
        const int stan = (std::stoi(std::string(request.fields.get(11))) + 1) % 1000000;
        char text[8];
        std::snprintf(text, sizeof text, "%06d", stan);
        reply.fields.set(11, text);
      }
      std::string code = "00";
      if (request.mti == "0100" || request.mti == "0200") {
        const std::string pan(request.fields.get(2));
        if (pan.empty() || !card::luhn_valid(pan)) code = "14";
        else reply.fields.set(38, "A1B2C3");
      }
      reply.fields.set(39, code);
      auto packed = iso::pack(*state_.options.spec, reply);
      if (!packed.ok()) co_return;
      body = std::move(packed.value);
    }
    queue_.push_back(framed(state_.options.framing, body));
    if (writing_) co_return;
    writing_ = true;
    while (!queue_.empty() && !closed_) {
      auto next = std::move(queue_.front());
      queue_.pop_front();
      stream_.next_layer().expires_after(std::chrono::seconds(10));
      auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(next), use_tuple);
      if (ec) closed_ = true;
    }
    writing_ = false;
  }

  State& state_;
  TlsStream stream_;
  std::mt19937 rng_;
  std::deque<std::vector<std::uint8_t>> queue_;
  bool writing_ = false;
  bool closed_ = false;
};

asio::awaitable<void> accept_loop(State& state) {
  for (;;) {
    auto [ec, socket] = co_await state.acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !state.acceptor.is_open()) co_return;
    if (ec) continue;
    auto session = std::make_shared<IsoSimSession>(state, std::move(socket));
    asio::co_spawn(state.io, session->run(), asio::detached);
  }
}

}  // namespace

IsoSimServer::IsoSimServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

IsoSimServer::~IsoSimServer() {
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::unique_ptr<IsoSimServer> IsoSimServer::start(const IsoSimOptions& options) {
  auto state = std::make_unique<State>();
  state->options = options;
  state->tls = net::make_server_context(options.tls);
  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(options.listen.host, ec), options.listen.port);
  if (ec) throw std::runtime_error("iso8583: listen address must be an IP address");
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("iso8583: cannot listen on " + options.listen.to_string() + ": " + ec.message());
  asio::co_spawn(state->io, accept_loop(*state), asio::detached);
  state->thread = std::thread([s = state.get()] { s->io.run(); });
  return std::unique_ptr<IsoSimServer>(new IsoSimServer(std::move(state)));
}

config::Endpoint IsoSimServer::bound() const {
  auto e = state_->acceptor.local_endpoint();
  return {e.address().to_string(), e.port()};
}

}  // namespace paygate::sim
