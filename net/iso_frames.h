// Reading and writing length-framed ISO 8583 messages on a TLS stream (for .cpp files
// that already use Asio). The length header is checked against the caller's maximum
// before a byte of the body is read, so a lying header costs nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "net/asio.h"
#include "protocol/iso8583/framing.h"

namespace paygate::net {

enum class FrameStatus { ok, closed, timeout, too_large, bad_header };

struct Frame {
  FrameStatus status = FrameStatus::ok;
  std::vector<std::uint8_t> body;
};

// Waits up to `idle` for a frame to start, then up to `read` for the rest of it. Any TLS
// stream with a deadline-carrying next_layer() (asio's, or SocketTlsStream).
template <class Stream>
asio::awaitable<Frame> read_frame(Stream& stream, protocol::iso8583::Framing framing, std::size_t max_frame,
                                         std::chrono::milliseconds idle, std::chrono::milliseconds read) {
  Frame frame;
  auto& tcp_layer = stream.next_layer();
  std::uint8_t header[4];
  const std::size_t header_size = protocol::iso8583::header_size(framing);
  tcp_layer.expires_after(idle);
  auto [ec1, n1] = co_await asio::async_read(stream, asio::buffer(header, 1), use_tuple);
  if (ec1) {
    frame.status = ec1 == beast::error::timeout ? FrameStatus::timeout : FrameStatus::closed;
    co_return frame;
  }
  tcp_layer.expires_after(read);
  if (header_size > 1) {
    auto [ec2, n2] = co_await asio::async_read(stream, asio::buffer(header + 1, header_size - 1), use_tuple);
    if (ec2) {
      frame.status = ec2 == beast::error::timeout ? FrameStatus::timeout : FrameStatus::closed;
      co_return frame;
    }
  }
  const auto length = protocol::iso8583::read_header(framing, std::span<const std::uint8_t>(header, header_size));
  if (!length || *length == 0) {
    frame.status = FrameStatus::bad_header;
    co_return frame;
  }
  if (*length > max_frame) {
    frame.status = FrameStatus::too_large;
    co_return frame;
  }
  frame.body.resize(*length);
  auto [ec3, n3] = co_await asio::async_read(stream, asio::buffer(frame.body), use_tuple);
  if (ec3) frame.status = ec3 == beast::error::timeout ? FrameStatus::timeout : FrameStatus::closed;
  co_return frame;
}

// The frame header followed by the body, ready to write; empty when it does not fit.
inline std::vector<std::uint8_t> framed(protocol::iso8583::Framing framing, const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> out;
  if (!protocol::iso8583::write_header(framing, body.size(), out)) return {};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace paygate::net
