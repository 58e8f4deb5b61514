#include "net/socket_tls_stream.h"

#include <stdexcept>

namespace paygate::net {

SocketTlsStream::SocketTlsStream(tcp::socket socket, ssl::context& context) : layer_(std::move(socket)) {
  ssl_ = SSL_new(context.native_handle());
  if (ssl_ == nullptr) throw std::runtime_error("SSL_new failed");
  beast::error_code ec;
  layer_.socket_.non_blocking(true, ec);
  if (ec || SSL_set_fd(ssl_, static_cast<int>(layer_.socket_.native_handle())) != 1) {
    SSL_free(ssl_);
    throw std::runtime_error("cannot attach TLS to the socket");
  }
  // A retried write may come from the gathering buffer again (same bytes, maybe another
  // address); a write may end after whole records, the caller writes the rest.
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_accept_state(ssl_);  // until async_handshake says otherwise
}

SocketTlsStream::~SocketTlsStream() {
  *layer_.alive_ = false;
  SSL_free(ssl_);  // the socket BIO does not own the descriptor: the socket closes it
}

int SocketTlsStream::attempt(Call call, asio::mutable_buffer buffer, std::size_t& done) {
  ERR_clear_error();
  errno = 0;
  switch (call) {
    case Call::handshake: return SSL_do_handshake(ssl_);
    case Call::read: return SSL_read_ex(ssl_, buffer.data(), buffer.size(), &done);
    case Call::write: return SSL_write_ex(ssl_, buffer.data(), buffer.size(), &done);
    case Call::wait_readable: break;  // no OpenSSL call: see DriveOp
    case Call::shutdown: {
      const int r = SSL_shutdown(ssl_);
      return r == 0 ? 1 : r;  // 0: our close_notify is sent; the peer's is not awaited
    }
  }
  return -1;
}

beast::error_code SocketTlsStream::failure(int ssl_error) const {
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return asio::error::eof;  // the peer's close_notify
  if (ssl_error == SSL_ERROR_SYSCALL) {
    if (const unsigned long e = ERR_peek_error(); e != 0) {
      return {static_cast<int>(ERR_get_error()), asio::error::get_ssl_category()};
    }
    if (errno != 0 && errno != EAGAIN) return {errno, asio::error::get_system_category()};
    return ssl::error::stream_truncated;  // TCP closed without close_notify
  }
  if (const unsigned long e = ERR_get_error(); e != 0) return {static_cast<int>(e), asio::error::get_ssl_category()};
  return ssl::error::stream_truncated;
}

}  // namespace paygate::net
