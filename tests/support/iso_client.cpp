#include "tests/support/iso_client.h"

#include <stdexcept>

#include "gateway/net/asio.h"
#include "gateway/net/iso_frames.h"
#include "gateway/net/tls_context.h"
#include "protocol/iso8583/codec.h"

namespace paygate::test {

using namespace paygate::net;
namespace iso = protocol::iso8583;

struct IsoClient::Impl {
  asio::io_context io;
  ssl::context tls{ssl::context::tls_client};
  std::unique_ptr<TlsStream> stream;

  template <class T>
  T run(asio::awaitable<T> work) {
    std::optional<T> out;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
      if (e) std::rethrow_exception(e);
      out = std::move(value);
    });
    io.restart();
    io.run();
    return std::move(*out);
  }
};

IsoClient::IsoClient(std::uint16_t port, const ClientOptions& options, const iso::MessageSpec& spec, iso::Framing framing)
    : impl_(std::make_unique<Impl>()), spec_(spec), framing_(framing) {
  Impl& i = *impl_;
  i.tls.load_verify_file(options.ca.string());
  i.tls.set_verify_mode(ssl::verify_peer);
  if (options.certificate) {
    i.tls.use_certificate_chain_file(options.certificate->string());
    i.tls.use_private_key_file(options.private_key->string(), ssl::context::pem);
  }
  i.stream = std::make_unique<TlsStream>(i.io, i.tls);
  if (!set_peer_name(i.stream->native_handle(), options.server_name)) throw std::runtime_error("server name");
  beast::error_code ec;
  if (options.receive_buffer > 0 || !options.source_address.empty()) i.stream->next_layer().socket().open(tcp::v4(), ec);
  if (options.receive_buffer > 0) {
    i.stream->next_layer().socket().set_option(asio::socket_base::receive_buffer_size(options.receive_buffer), ec);
  }
  if (!options.source_address.empty()) {
    i.stream->next_layer().socket().bind(tcp::endpoint(asio::ip::make_address(options.source_address), 0), ec);
    if (ec) throw std::runtime_error("bind " + options.source_address + ": " + ec.message());
  }
  i.stream->next_layer().socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) throw std::runtime_error("connect: " + ec.message());
  i.stream->handshake(ssl::stream_base::client, ec);
  if (ec) throw std::runtime_error("tls handshake: " + ec.message());
}

IsoClient::~IsoClient() = default;

void IsoClient::send(const iso::Message& message) {
  auto packed = iso::pack(spec_, message);
  if (!packed.ok()) throw std::runtime_error("pack: " + packed.error->to_string());
  auto bytes = framed(framing_, packed.value);
  beast::error_code ec;
  asio::write(*impl_->stream, asio::buffer(bytes), ec);
  if (ec) throw std::runtime_error("write: " + ec.message());
}

bool IsoClient::write_raw(std::string_view bytes) {
  beast::error_code ec;
  asio::write(*impl_->stream, asio::buffer(bytes.data(), bytes.size()), ec);
  return !ec;
}

std::optional<iso::Message> IsoClient::receive(std::chrono::milliseconds timeout) {
  auto frame = impl_->run(read_frame(*impl_->stream, framing_, 65535, timeout, timeout));
  if (frame.status != FrameStatus::ok) return std::nullopt;
  auto message = iso::unpack(spec_, frame.body);
  if (!message.ok()) throw std::runtime_error("unpack answer: " + message.error->to_string());
  return std::move(message.value);
}

std::optional<std::vector<std::uint8_t>> IsoClient::receive_bytes(std::chrono::milliseconds timeout) {
  auto frame = impl_->run(read_frame(*impl_->stream, framing_, 65535, timeout, timeout));
  if (frame.status != FrameStatus::ok) return std::nullopt;
  return std::move(frame.body);
}

bool IsoClient::closed_within(std::chrono::milliseconds timeout) {
  auto frame = impl_->run(read_frame(*impl_->stream, framing_, 65535, timeout, timeout));
  return frame.status == FrameStatus::closed;
}

}  // namespace paygate::test
