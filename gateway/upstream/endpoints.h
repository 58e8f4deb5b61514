// Where a processor's connections go and how one is opened (for gateway/upstream .cpp
// files, which use Asio).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "gateway/upstream/processor.h"
#include "net/asio.h"
#include "net/socket_tls_stream.h"

namespace paygate::gateway {

// The addresses to try for host:port. An IP literal is taken as it is, without the
// resolver: Asio's resolver runs getaddrinfo on a thread of its own per io_context, which
// would otherwise sit idle on every network thread for processors configured by address
// (issue #21). A name goes through the resolver. Errors: the resolver's.
net::asio::awaitable<std::tuple<boost::system::error_code, std::vector<net::tcp::endpoint>>> processor_endpoints(
    net::asio::any_io_executor executor, const std::string& host, std::uint16_t port);

// Opens a TLS connection to `processor`, HTTPS and ISO 8583 alike, into `stream`: its
// addresses, the TCP connect on `tcp` (no Nagle), then the client handshake on the
// OpenSSL-on-socket stream that takes the socket over — SNI and the name the certificate
// must carry from the processor's tls settings, verification from its context — all
// before `deadline`. While it runs the caller may close `tcp` or, once set, `stream`:
// the attempt then ends at once. The stream is left with no deadline set. Errors: the
// resolver's, the connect's, the handshake's (TLS, or beast::error::timeout once the
// deadline passed); then `stream` may hold a useless stream, to be dropped.
net::asio::awaitable<boost::system::error_code> connect_processor(const ProcessorContext& processor,
                                                                  std::chrono::steady_clock::time_point deadline,
                                                                  net::beast::tcp_stream& tcp,
                                                                  std::unique_ptr<net::SocketTlsStream>& stream);

}  // namespace paygate::gateway
