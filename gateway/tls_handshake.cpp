#include "gateway/tls_handshake.h"

#include "net/peer_certificate.h"
#include "gateway/tls_failure.h"

namespace paygate::gateway {

using namespace net;

asio::awaitable<bool> server_handshake(Worker& worker, const ListenerContext& listener, ServerTlsStream& stream,
                                       std::chrono::milliseconds timeout, ConnectionPeer& peer) {
  auto& tcp_layer = stream.next_layer();
  tcp_layer.expires_after(timeout);
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (ec) {
    record_handshake_failure(worker.runtime.metrics, listener.index, listener.name, ec, stream.native_handle());
    co_return false;
  }
  peer.certificate = verified_peer_certificate(stream.native_handle());
  beast::error_code ip_ec;
  const auto remote = tcp_layer.socket().remote_endpoint(ip_ec);
  if (!ip_ec) peer.ip = remote.address().to_string();
  co_return true;
}

}  // namespace paygate::gateway
