#include "gateway/merchant_connection.h"

#include "gateway/tls_failure.h"

namespace paygate::gateway {

using namespace net;

MerchantConnection::MerchantConnection(Worker& worker, ListenerContext& listener, tcp::socket socket)
    : worker_(worker),
      listener_(listener),
      tls_(worker.current->shared->listener_tls[listener.index]),
      limits_(worker.current->shared->config->listeners[listener.index].limits),
      stream_(std::move(socket), *tls_) {}

asio::awaitable<bool> MerchantConnection::handshake() {
  auto& tcp_layer = stream_.next_layer();
  tcp_layer.expires_after(limits_.header_timeout);
  auto [ec] = co_await stream_.async_handshake(ssl::stream_base::server, use_tuple);
  if (ec) {
    record_handshake_failure(worker_.runtime.metrics, listener_.index, listener_.name, ec,
                             stream_.native_handle());
    co_return false;
  }
  peer_ = verified_peer_certificate(stream_.native_handle());
  beast::error_code ip_ec;
  const auto remote = tcp_layer.socket().remote_endpoint(ip_ec);
  if (!ip_ec) client_ip_ = remote.address().to_string();
  co_return true;
}

Exchange MerchantConnection::start_exchange() {
  Exchange x;
  x.start = Exchange::Clock::now();
  x.request_id = worker_.ids.next();
  x.view = worker_.current;  // this message's snapshot, held until it is answered
  x.listener = &listener_;
  x.credentials.certificate = peer_ ? &*peer_ : nullptr;
  x.credentials.client_ip = client_ip_;
  return x;
}

asio::awaitable<void> MerchantConnection::shut_down() {
  auto& tcp_layer = stream_.next_layer();
  if (!tcp_layer.socket().is_open()) co_return;
  tcp_layer.expires_after(std::chrono::seconds(1));
  co_await stream_.async_shutdown(use_tuple);
  beast::error_code ignored;
  tcp_layer.socket().close(ignored);
}

}  // namespace paygate::gateway
