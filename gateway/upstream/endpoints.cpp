#include "gateway/upstream/endpoints.h"

#include "net/tls_context.h"

#include <string>
#include <tuple>
#include <vector>

namespace paygate::gateway {
namespace {

// The addresses to try for host:port: an IP literal as it is, a name through the resolver.
net::asio::awaitable<std::tuple<boost::system::error_code, std::vector<net::tcp::endpoint>>> processor_endpoints(
    net::asio::any_io_executor executor, const std::string& host, std::uint16_t port) {
  std::vector<net::tcp::endpoint> endpoints;
  boost::system::error_code ec;
  const auto literal = net::asio::ip::make_address(host, ec);
  if (!ec) {
    endpoints.emplace_back(literal, port);
    co_return std::tuple{ec, std::move(endpoints)};
  }
  net::tcp::resolver resolver(executor);
  auto [rec, results] = co_await resolver.async_resolve(host, std::to_string(port), net::use_tuple);
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  co_return std::tuple{rec, std::move(endpoints)};
}

}  // namespace

net::asio::awaitable<boost::system::error_code> connect_processor(const ProcessorContext& processor,
                                                                  std::chrono::steady_clock::time_point deadline,
                                                                  net::beast::tcp_stream& tcp,
                                                                  std::unique_ptr<net::SocketTlsStream>& stream) {
  const config::Processor& p = *processor.config;
  auto [ec, endpoints] = co_await processor_endpoints(tcp.get_executor(), p.endpoint.host, p.endpoint.port);
  if (ec) co_return ec;
  tcp.expires_at(deadline);
  auto [cec, endpoint] = co_await tcp.async_connect(endpoints, net::use_tuple);
  if (cec) co_return cec;
  tcp.socket().set_option(net::tcp::no_delay(true), ec);
  if (ec) co_return ec;
  stream = std::make_unique<net::SocketTlsStream>(tcp.release_socket(), *processor.tls);
  if (!net::set_peer_name(stream->native_handle(), p.tls.server_name)) co_return net::asio::error::invalid_argument;
  stream->next_layer().expires_at(deadline);
  auto [hec] = co_await stream->async_handshake(net::ssl::stream_base::client, net::use_tuple);
  stream->next_layer().expires_never();
  co_return hec;
}

}  // namespace paygate::gateway
