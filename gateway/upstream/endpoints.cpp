#include "gateway/upstream/endpoints.h"

namespace paygate::gateway {

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

}  // namespace paygate::gateway
