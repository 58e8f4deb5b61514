#include "tests/support/iso_client.h"

#include <stdexcept>

#include "net/asio.h"
#include "net/iso_frames.h"
#include "net/tls_context.h"
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

iso::Message iso_request(const std::string& mti, int stan, const std::string& pan, const std::string& amount,
                         const std::string& processing_code) {
  iso::Message m;
  m.mti = mti;
  if (!pan.empty()) m.fields.set(2, pan);
  m.fields.set(3, processing_code);
  m.fields.set(4, amount);
  m.fields.set(7, "1130120000");
  char stan_text[8];
  std::snprintf(stan_text, sizeof stan_text, "%06d", stan % 1000000);
  m.fields.set(11, stan_text);
  m.fields.set(41, "TERM0001");
  m.fields.set(42, "MERCHANT0000001");
  m.fields.set(49, "978");
  return m;
}

IsoClient::IsoClient(std::uint16_t port, const ClientOptions& options, const iso::MessageSpec& spec, iso::Framing framing)
    : impl_(std::make_unique<Impl>()), spec_(spec), framing_(framing) {
  Impl& i = *impl_;
  configure_client_tls(i.tls, options);
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
