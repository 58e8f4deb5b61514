// Where a processor's connections go (for gateway/upstream .cpp files, which use Asio).
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "net/asio.h"

namespace paygate::gateway {

// The addresses to try for host:port. An IP literal is taken as it is, without the
// resolver: Asio's resolver runs getaddrinfo on a thread of its own per io_context, which
// would otherwise sit idle on every network thread for processors configured by address
// (issue #21). A name goes through the resolver. Errors: the resolver's.
net::asio::awaitable<std::tuple<boost::system::error_code, std::vector<net::tcp::endpoint>>> processor_endpoints(
    net::asio::any_io_executor executor, const std::string& host, std::uint16_t port);

}  // namespace paygate::gateway
