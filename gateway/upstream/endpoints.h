// Where a processor's connections go and how one is opened (for gateway/upstream .cpp
// files, which use Asio).
#pragma once

#include <chrono>
#include <memory>

#include "gateway/upstream/processor.h"
#include "net/asio.h"
#include "net/socket_tls_stream.h"

namespace paygate::gateway {

// Opens a TLS connection to `processor`, HTTPS and ISO 8583 alike, into `stream`: its
// addresses (an IP literal taken as it is — Asio's resolver runs getaddrinfo on a thread
// of its own per io_context, which would sit idle on every network thread, issue #21 — a
// name through the resolver), the TCP connect on `tcp` (no Nagle), then the client
// handshake on the OpenSSL-on-socket stream that takes the socket over — SNI and the
// name the certificate must carry from the processor's tls settings, verification from
// its context — all before `deadline`. While it runs the caller may close `tcp` or, once set, `stream`:
// the attempt then ends at once. The stream is left with no deadline set. Errors: the
// resolver's, the connect's, the handshake's (TLS, or beast::error::timeout once the
// deadline passed); then `stream` may hold a useless stream, to be dropped.
net::asio::awaitable<boost::system::error_code> connect_processor(const ProcessorContext& processor,
                                                                  std::chrono::steady_clock::time_point deadline,
                                                                  net::beast::tcp_stream& tcp,
                                                                  std::unique_ptr<net::SocketTlsStream>& stream);

}  // namespace paygate::gateway
