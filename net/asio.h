// Names shared by paygate's network code. Include only from .cpp files in gateway/ and
// sim/: it pulls in Asio, Asio.SSL and Beast.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cstddef>
#include <memory_resource>

namespace paygate::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// The category of Beast's HTTP parser errors: a peer that is not speaking HTTP/1.1.
inline const boost::system::error_category& http_error_category() {
  return make_error_code(http::error::bad_version).category();
}

// Header fields kept in one exchange's arena (HeaderArena) instead of one heap allocation
// per field (issue #21). Construct a message or parser with the arena's allocator from
// the start: move-assigning one that has another allocator copies every field.
using ArenaAllocator = std::pmr::polymorphic_allocator<char>;
using ArenaFields = http::basic_fields<ArenaAllocator>;

// A bump arena for one exchange's header fields: its first `Bytes` inside the object (a
// coroutine frame's local), then the heap; all of it goes when the object does. Not
// thread-safe.
template <std::size_t Bytes>
class HeaderArena {
 public:
  HeaderArena() = default;
  HeaderArena(const HeaderArena&) = delete;
  HeaderArena& operator=(const HeaderArena&) = delete;
  ArenaAllocator allocator() { return ArenaAllocator(&resource_); }
  std::pmr::memory_resource* resource() { return &resource_; }

 private:
  alignas(std::max_align_t) std::byte buffer_[Bytes];
  std::pmr::monotonic_buffer_resource resource_{buffer_, Bytes};
};

// Completion token for coroutines: errors come back as values, never as exceptions.
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace paygate::net
