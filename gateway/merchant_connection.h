// Internal to gateway/ (.cpp files using Asio): what every merchant connection shares,
// HTTPS or ISO 8583 — the TLS context and limits of the snapshot current at accept (a
// reload changes them for new connections), the stream, the TLS handshake under the
// header deadline (a failure is classified and counted), who is on the other end (the
// verified client certificate, if any, and the client's IP address), a new exchange per
// message, and a goodbye that never waits long. The sessions (gateway/http/session.cpp,
// gateway/iso/session.cpp) derive from it and add their framing.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "gateway/flow/exchange.h"
#include "gateway/worker.h"
#include "net/asio.h"
#include "net/peer_certificate.h"
#include "net/socket_tls_stream.h"

namespace paygate::gateway {

class MerchantConnection {
 protected:
  MerchantConnection(Worker& worker, ListenerContext& listener, net::tcp::socket socket);

  // False when the handshake failed (already logged and counted).
  net::asio::awaitable<bool> handshake();

  // An exchange for the next message (or an event of the connection): a new request id,
  // the thread's current snapshot, the connection's credentials.
  Exchange start_exchange();

  // TLS close_notify when the peer is still there (waiting at most a second), then close.
  net::asio::awaitable<void> shut_down();

  Worker& worker_;
  ListenerContext& listener_;
  std::shared_ptr<net::ssl::context> tls_;  // kept: the stream's SSL points into it
  const config::ListenerLimits limits_;     // a copy: the snapshot it came from may go
  net::SocketTlsStream stream_;
  // The verified client certificate and the TCP peer (a load balancer in front must
  // preserve it: PROXY protocol is not read).
  std::optional<net::PeerCertificate> peer_;
  std::string client_ip_;
};

}  // namespace paygate::gateway
