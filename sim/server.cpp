#include "sim/server.h"

#include "crypto/jwe.h"

#include <boost/asio/strand.hpp>

#include <atomic>
#include <charconv>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/asio.h"
#include "net/tls_context.h"
#include "sim/authorizer.h"
#include "sim/follow_up.h"

namespace paygate::sim {

using namespace net;

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

class RandomIds final : public IdSource {
 public:
  std::string authorization_code() override {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string code(6, ' ');
    for (char& c : code) c = alphabet[rng_() % 36];
    return code;
  }
  std::string transaction_id() override {
    // Hex, but every fourth character a letter: a run of at most three digits can never
    // look like a card number to the gateway's scanner of processor answers (a plain hex
    // id held 13+ Luhn-valid digits once in a few thousand answers).
    static constexpr char hex[] = "0123456789abcdef";
    std::string id = "sim_";
    for (int i = 0; i < 24; ++i) id += i % 4 == 3 ? hex[10 + rng_() % 6] : hex[rng_() % 16];
    return id;
  }

 private:
  std::mt19937_64 rng_{std::random_device{}()};
};

Response json_response(unsigned status, std::string body, const Request& req) {
  Response res{static_cast<http::status>(status), 11};
  res.set(http::field::server, "paygate-processor-sim");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

unsigned query_ms(std::string_view target, unsigned fallback) {
  auto pos = target.find("ms=");
  if (pos == std::string_view::npos) return fallback;
  unsigned ms = fallback;
  std::from_chars(target.data() + pos + 3, target.data() + target.size(), ms);
  return ms;
}

enum class Fault { none, stall, reset, garbage, slow, server_error, close, half, stall_body };

Fault fault_for(std::string_view path) {
  constexpr std::string_view prefix = "/sim/fault/";
  if (path.rfind(prefix, 0) != 0) return Fault::none;
  std::string_view name = path.substr(prefix.size());
  if (name == "stall") return Fault::stall;
  if (name == "reset") return Fault::reset;
  if (name == "garbage") return Fault::garbage;
  if (name == "slow") return Fault::slow;
  if (name == "500") return Fault::server_error;
  if (name == "close") return Fault::close;
  if (name == "half") return Fault::half;              // headers and part of the body, then a reset
  if (name == "stall-body") return Fault::stall_body;  // headers, then nothing
  return Fault::none;
}

// What every session of one simulator shares: how it answers, its connection faults, and
// how many requests reached it (GET /sim/stats: tests prove what was never forwarded).
struct Behaviour {
  std::shared_ptr<const AuthorizeOptions> authorize_options;
  std::uint32_t handshake_delay_ms = 0;
  double drop_idle_probability = 0;
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> dropped{0};  // kept-alive connections closed by drop_idle_probability
};

asio::awaitable<void> pause_ms(std::uint32_t ms) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(std::chrono::milliseconds(ms));
  co_await timer.async_wait(use_tuple);
}

// A processor that never answers: reads and discards until the client gives up.
asio::awaitable<void> hold_until_closed(TlsStream& stream) {
  stream.next_layer().expires_never();
  char sink[256];
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
    if (ec) co_return;
  }
}

// Ends the connection with a TCP reset (SO_LINGER 0), no TLS goodbye.
void reset(TlsStream& stream) {
  beast::error_code ignored;
  stream.next_layer().socket().set_option(asio::socket_base::linger(true, 0), ignored);
  stream.next_layer().socket().close(ignored);
}

asio::awaitable<void> session(TlsStream stream, std::shared_ptr<Behaviour> behaviour) {
  RandomIds ids;
  std::mt19937 rng{std::random_device{}()};
  beast::flat_buffer buffer;
  auto& tcp_layer = stream.next_layer();
  if (behaviour->handshake_delay_ms > 0) co_await pause_ms(behaviour->handshake_delay_ms);
  tcp_layer.expires_after(std::chrono::seconds(10));
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (hec) co_return;
  for (;;) {
    tcp_layer.expires_after(std::chrono::seconds(120));
    Request req;
    auto [ec, n] = co_await http::async_read(stream, buffer, req, use_tuple);
    if (ec) break;
    std::string_view target(req.target().data(), req.target().size());
    std::string_view path = target.substr(0, target.find('?'));
    if (path == "/sim/stats" && req.method() == http::verb::get) {
      auto res = json_response(200, "{\"requests\":" + std::to_string(behaviour->requests.load()) +
                                        ",\"dropped\":" + std::to_string(behaviour->dropped.load()) + "}", req);
      tcp_layer.expires_after(std::chrono::seconds(10));
      auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
      if (wec || !res.keep_alive()) break;
      continue;
    }
    behaviour->requests.fetch_add(1);
    Fault fault = fault_for(path);

    if (fault == Fault::stall) {
      co_await hold_until_closed(stream);
      break;
    }
    if (fault == Fault::reset) {
      reset(stream);
      co_return;
    }
    if (fault == Fault::half || fault == Fault::stall_body) {
      static constexpr std::string_view head =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"status\":\"appr";
      const std::string_view part = fault == Fault::half ? head : head.substr(0, head.find("\r\n\r\n") + 4);
      co_await asio::async_write(stream, asio::buffer(part), use_tuple);
      if (fault == Fault::half) {
        reset(stream);
        co_return;
      }
      co_await hold_until_closed(stream);
      break;
    }
    if (fault == Fault::garbage) {
      static constexpr std::string_view junk = "this is not an HTTP answer\r\n\x01\x02\x03\r\n\r\n";
      co_await asio::async_write(stream, asio::buffer(junk), use_tuple);
      break;
    }
    if (fault == Fault::slow) {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(std::chrono::milliseconds(query_ms(target, 2000)));
      co_await timer.async_wait(use_tuple);
    }

    Response res;
    if (fault == Fault::server_error) {
      res = json_response(500, R"({"error":"internal_error"})", req);
    } else if (path == "/healthz" && req.method() == http::verb::get) {
      res = json_response(200, R"({"status":"ok"})", req);
    } else if (req.method() != http::verb::post) {
      res = json_response(405, R"({"error":"method_not_allowed"})", req);
    } else if (const auto kind = follow_up_for_path(path)) {
      SimAnswer answer = follow_up(*kind, req.body(), ids);
      res = json_response(answer.http_status, std::move(answer.body), req);
    } else {
      const auto trace = req.find("traceparent");
      SimAnswer answer = authorize(req.body(), ids, *behaviour->authorize_options,
                                   trace == req.end() ? std::string_view() : std::string_view(trace->value().data(), trace->value().size()));
      res = json_response(answer.http_status, std::move(answer.body), req);
    }
    if (fault == Fault::close) res.keep_alive(false);
    tcp_layer.expires_after(std::chrono::seconds(10));
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) break;
    // A processor that drops kept-alive connections when it likes (without saying so in
    // the answer): the gateway may find the connection gone just as it reuses it.
    if (std::uniform_real_distribution<double>(0, 1)(rng) < behaviour->drop_idle_probability) {
      co_await pause_ms(std::uniform_int_distribution<std::uint32_t>(0, 30)(rng));
      behaviour->dropped.fetch_add(1);
      break;
    }
  }
  tcp_layer.expires_after(std::chrono::seconds(1));
  co_await stream.async_shutdown(use_tuple);
}

}  // namespace

struct SimServer::State {
  std::shared_ptr<Behaviour> behaviour = std::make_shared<Behaviour>();
  asio::io_context io;
  std::shared_ptr<ssl::context> tls;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
};

SimServer::SimServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

SimServer::~SimServer() {
  stop();
  wait();
}

std::unique_ptr<SimServer> SimServer::start(const SimOptions& options) {
  auto state = std::make_unique<State>();
  state->tls = make_server_context(options.tls);
  if (options.jwe_key) {
    auto key = crypto::JoseKey::load_file(options.jwe_key->string());
    if (!key) throw std::runtime_error("--jwe-key: " + key.error().reason);
    auto shared_key = std::make_shared<const crypto::JoseKey>(std::move(key).value());
    auto authorize_options = std::make_shared<AuthorizeOptions>();
    authorize_options->decrypt = [shared_key](std::string_view compact) -> std::optional<std::string> {
      auto plain = crypto::jwe_decrypt(compact, *shared_key);
      if (!plain) return std::nullopt;
      return std::string(plain.value().plaintext.begin(), plain.value().plaintext.end());
    };
    state->behaviour->authorize_options = std::move(authorize_options);
  } else if (options.jwe_unopened) {
    auto authorize_options = std::make_shared<AuthorizeOptions>();
    authorize_options->jwe_unopened = true;
    state->behaviour->authorize_options = std::move(authorize_options);
  } else {
    state->behaviour->authorize_options = std::make_shared<AuthorizeOptions>();
  }
  state->behaviour->handshake_delay_ms = options.handshake_delay_ms;
  state->behaviour->drop_idle_probability = options.drop_idle_probability;
  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(options.listen.host, ec), options.listen.port);
  if (ec) throw std::runtime_error("--listen needs an IP address, not " + options.listen.host);
  state->acceptor.open(endpoint.protocol());
  state->acceptor.set_option(asio::socket_base::reuse_address(true));
  state->acceptor.bind(endpoint, ec);
  if (ec) throw std::runtime_error("cannot listen on " + options.listen.to_string() + ": " + ec.message());
  state->acceptor.listen();

  State& s = *state;
  asio::co_spawn(
      s.io,
      [&s]() -> asio::awaitable<void> {
        for (;;) {
          // Each connection gets its own strand: the io_context may run on several threads.
          auto strand = asio::make_strand(s.io);
          auto [aec, socket] = co_await s.acceptor.async_accept(strand, use_tuple);
          if (aec == asio::error::operation_aborted || !s.acceptor.is_open()) co_return;
          if (aec) continue;
          beast::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          asio::co_spawn(strand, session(TlsStream(std::move(socket), *s.tls), s.behaviour), asio::detached);
        }
      },
      asio::detached);
  for (std::uint32_t i = 0; i < std::max<std::uint32_t>(1, options.threads); ++i) {
    s.threads.emplace_back([&s] { s.io.run(); });
  }
  return std::unique_ptr<SimServer>(new SimServer(std::move(state)));
}

config::Endpoint SimServer::bound() const {
  auto e = state_->acceptor.local_endpoint();
  return {e.address().to_string(), e.port()};
}

void SimServer::stop() { state_->io.stop(); }

void SimServer::wait() {
  for (auto& t : state_->threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace paygate::sim
