// Internal to gateway/ (.cpp files using Asio): the start every merchant connection
// shares, HTTPS or ISO 8583 — the TLS handshake under the header deadline (a failure is
// classified and counted), then who is on the other end: the verified client
// certificate, if any, and the client's IP address.
#pragma once

#include <optional>
#include <string>

#include "gateway/merchant_directory.h"
#include "net/asio.h"
#include "net/server_tls_stream.h"
#include "gateway/worker.h"

namespace paygate::gateway {

struct ConnectionPeer {
  std::optional<net::PeerCertificate> certificate;  // verified against the listener's client CA
  std::string ip;                              // the TCP peer
};

// False when the handshake failed (already logged and counted).
net::asio::awaitable<bool> server_handshake(Worker& worker, const ListenerContext& listener, net::ServerTlsStream& stream,
                                            std::chrono::milliseconds timeout, ConnectionPeer& peer);

}  // namespace paygate::gateway
