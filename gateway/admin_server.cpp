#include "gateway/admin_server.h"

#include <mutex>
#include <thread>

#include "gateway/log.h"
#include "net/asio.h"
#include "net/tls_context.h"

namespace paygate::gateway {

using namespace net;

struct AdminServer::State {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::mutex tls_mutex;
  std::shared_ptr<ssl::context> tls;  // null: plain HTTP (loopback); swapped by reload_tls
  Handler handler;
  std::thread thread;
};

namespace {

std::shared_ptr<ssl::context> make_tls(const config::Admin& admin) {
  try {
    return net::make_server_context(*admin.tls);
  } catch (const net::TlsSetupError& e) {
    throw std::runtime_error(std::string("admin: ") + e.what());
  }
}

template <class Stream>
asio::awaitable<void> admin_exchanges(Stream& stream, beast::tcp_stream& tcp_layer, const AdminServer::Handler& handler,
                                      const net::PeerCertificate* peer) {
  beast::error_code ip_ec;
  const auto remote = tcp_layer.socket().remote_endpoint(ip_ec);
  const std::string client_ip = ip_ec ? std::string("-") : remote.address().to_string();
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(8192);
    parser.body_limit(64 * 1024);  // POST /admin/fraud/explain carries one payment
    tcp_layer.expires_after(std::chrono::seconds(10));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) break;
    const auto& req = parser.get();
    const std::string_view target(req.target().data(), req.target().size());
    const std::string_view method = req.method() == http::verb::get ? "GET" : req.method() == http::verb::post ? "POST" : "OTHER";
    AdminAnswer answer =
        handler(AdminRequest{method, target.substr(0, target.find('?')), req.body(), client_ip, peer});
    http::response<http::string_body> res{static_cast<http::status>(answer.status), 11};
    res.set(http::field::server, "paygate-admin");
    res.set(http::field::content_type, answer.content_type);
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    res.body() = std::move(answer.body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) break;
  }
}

asio::awaitable<void> admin_session(tcp::socket socket, std::shared_ptr<ssl::context> tls,
                                    const AdminServer::Handler& handler) {
  if (!tls) {
    beast::tcp_stream stream(std::move(socket));
    co_await admin_exchanges(stream, stream, handler, nullptr);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
  stream.next_layer().expires_after(std::chrono::seconds(10));
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (hec) {
    log::warn("admin tls handshake failed", {{"reason", hec.message()}});
    co_return;
  }
  const auto peer = net::verified_peer_certificate(stream.native_handle());
  co_await admin_exchanges(stream, stream.next_layer(), handler, peer ? &*peer : nullptr);
  stream.next_layer().expires_after(std::chrono::seconds(1));
  co_await stream.async_shutdown(use_tuple);
}

asio::awaitable<void> admin_accept(AdminServer::State& s) {
  for (;;) {
    auto [ec, socket] = co_await s.acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !s.acceptor.is_open()) co_return;
    if (ec) continue;
    std::shared_ptr<ssl::context> tls;
    {
      std::lock_guard lock(s.tls_mutex);
      tls = s.tls;
    }
    asio::co_spawn(s.io, admin_session(std::move(socket), std::move(tls), s.handler), asio::detached);
  }
}

}  // namespace

AdminServer::AdminServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

AdminServer::~AdminServer() {
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::unique_ptr<AdminServer> AdminServer::start(const config::Admin& admin, Handler handler) {
  const config::Endpoint& address = admin.address;
  auto state = std::make_unique<State>();
  state->handler = std::move(handler);
  if (admin.tls) state->tls = make_tls(admin);
  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(address.host, ec), address.port);
  if (ec) throw std::runtime_error("admin: the address must be an IP address, not " + address.host);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("admin: cannot listen on " + address.to_string() + ": " + ec.message());
  asio::co_spawn(state->io, admin_accept(*state), asio::detached);
  state->thread = std::thread([s = state.get()] { s->io.run(); });
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(state)));
}

void AdminServer::reload_tls(const config::Admin& admin) {
  if (!admin.tls) return;  // on/off is restart-only (restart_only_changes)
  auto next = make_tls(admin);
  std::lock_guard lock(state_->tls_mutex);
  state_->tls = std::move(next);
}

config::Endpoint AdminServer::bound() const {
  auto e = state_->acceptor.local_endpoint();
  return {e.address().to_string(), e.port()};
}

}  // namespace paygate::gateway
