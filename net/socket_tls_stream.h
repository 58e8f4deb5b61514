// A TLS stream that lets OpenSSL read and write the socket itself, driven by Asio
// readiness waits: the stream of merchant sessions (server side) and of processor
// connections, HTTPS and ISO 8583 (client side), for .cpp files that already use Asio.
//
// Why not asio::ssl::stream: it feeds OpenSSL through a BIO pair and keeps two 17 KiB
// record buffers of its own plus the pair's two 17 KiB buffers, allocated for as long as
// the connection lives — about 68 KiB for every idle keep-alive connection, whether or
// not it ever sends another byte — and it sets SSL_MODE_RELEASE_BUFFERS, so OpenSSL
// allocates and frees a record buffer per read and write on a busy connection. Here
// OpenSSL owns the only buffers, kept while a connection is busy and given back while it
// is idle (SSL_free_buffers in async_wait_readable), and bytes go socket <-> OpenSSL
// without a copy through the pair.
//
// Deadlines follow beast::tcp_stream: next_layer().expires_after(d) bounds the
// operations that start after it; when it passes, a pending operation ends with
// beast::error::timeout, and so does one started later, until the deadline is set again.
// next_layer().cancel() ends pending operations with operation_aborted.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "net/asio.h"

namespace paygate::net {

class SocketTlsStream;

// The socket and the deadline: what sessions reach through next_layer(). As with
// beast::tcp_stream, an operation takes the deadline current when it starts (a later
// expires_after() for the other direction does not move it), and reads and writes time
// out independently: each direction has its own timer and cancellation signal, so one
// direction's timeout never cancels the other's wait.
class TlsSocketLayer {
 public:
  explicit TlsSocketLayer(tcp::socket socket)
      : socket_(std::move(socket)), read_(socket_.get_executor()), write_(socket_.get_executor()) {}

  tcp::socket& socket() { return socket_; }
  void expires_after(std::chrono::steady_clock::duration timeout) { deadline_ = std::chrono::steady_clock::now() + timeout; }
  void expires_at(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }
  void expires_never() { deadline_ = std::chrono::steady_clock::time_point::max(); }
  // Pending operations end with operation_aborted.
  void cancel() {
    read_.cancel.emit(asio::cancellation_type::terminal);
    write_.cancel.emit(asio::cancellation_type::terminal);
  }

 private:
  friend class SocketTlsStream;
  // The timer is lazy (issue #21): a wait does not arm and cancel it. It stays set at
  // the earliest deadline any wait asked for; when it fires, it ends the pending wait if
  // that wait's deadline has passed, or re-arms for the pending wait's later deadline.
  // Re-arming and cancelling per wait cost timer-queue work and a timerfd_settime per
  // wait on a busy connection; now a keep-alive connection re-arms about once per
  // header timeout.
  struct Direction {
    using time_point = std::chrono::steady_clock::time_point;
    explicit Direction(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    asio::cancellation_signal cancel;
    time_point timer_at = time_point::max();   // when the armed timer fires (max: not armed)
    std::uint64_t generation = 0;              // of the latest arming: older expiries do nothing
    bool waiting = false;                      // a wait with a deadline is pending
    time_point wait_deadline = time_point::max();

    // A wait with `deadline` starts.
    void begin_wait(time_point deadline, const std::shared_ptr<bool>& alive) {
      waiting = true;
      wait_deadline = deadline;
      if (timer_at > deadline) arm(deadline, alive);
    }
    void end_wait() {
      waiting = false;
      wait_deadline = time_point::max();
    }
    void arm(time_point at, const std::shared_ptr<bool>& alive) {
      timer_at = at;
      timer.expires_at(at);
      timer.async_wait([this, g = ++generation, a = alive](const beast::error_code& ec) {
        if (ec || !*a || g != generation) return;
        timer_at = time_point::max();
        if (!waiting) return;
        if (std::chrono::steady_clock::now() >= wait_deadline) cancel.emit(asio::cancellation_type::terminal);
        else arm(wait_deadline, a);
      });
    }
  };
  tcp::socket socket_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  Direction read_, write_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // late handlers check it
};

class SocketTlsStream {
 public:
  using executor_type = tcp::socket::executor_type;

  // Takes a connected socket (made non-blocking) and a new SSL object from `context`.
  SocketTlsStream(tcp::socket socket, ssl::context& context);
  ~SocketTlsStream();
  SocketTlsStream(const SocketTlsStream&) = delete;
  SocketTlsStream& operator=(const SocketTlsStream&) = delete;

  executor_type get_executor() { return layer_.socket_.get_executor(); }
  TlsSocketLayer& next_layer() { return layer_; }
  SSL* native_handle() { return ssl_; }

  // Which side this end is comes with the handshake, as with asio::ssl::stream. A client
  // sets the peer's name on native_handle() first (net::set_peer_name: SNI and the name
  // the certificate must carry); verification is the context's.
  template <class Token>
  auto async_handshake(ssl::stream_base::handshake_type type, Token&& token) {
    if (type == ssl::stream_base::client) SSL_set_connect_state(ssl_);
    else SSL_set_accept_state(ssl_);
    return async_without_data(Call::handshake, std::forward<Token>(token));
  }
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    asio::mutable_buffer first;
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
      if (asio::buffer_size(*it) > 0) {
        first = *it;
        break;
      }
    }
    return async_drive(Call::read, [first] { return first; }, std::forward<Token>(token));
  }
  // Several small buffers (an HTTP header and its body) go out as one TLS record and one
  // write: up to 16 KiB of the sequence is gathered into a per-thread buffer, again on
  // every attempt (a retried SSL_write must see the same bytes; the stream keeps no
  // buffer of its own).
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return async_drive(
        Call::write,
        [buffers] {
          static thread_local std::array<unsigned char, 16 * 1024> gather;
          std::size_t total = 0, count = 0;
          asio::const_buffer first;
          for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
            const asio::const_buffer b(*it);
            if (b.size() == 0) continue;
            if (count++ == 0) first = b;
            if (total + b.size() > gather.size()) break;
            std::memcpy(gather.data() + total, b.data(), b.size());
            total += b.size();
          }
          const asio::const_buffer out = count > 1 && total > first.size() ? asio::const_buffer(gather.data(), total) : first;
          return asio::mutable_buffer(const_cast<void*>(out.data()), out.size());
        },
        std::forward<Token>(token));
  }
  // Completes when a read would find data (decrypted bytes already held, or the socket
  // readable), without a buffer: an idle connection waits here holding no memory for
  // the request it may never send. OpenSSL's record buffers are given back first (kept
  // when they still hold bytes).
  template <class Token>
  auto async_wait_readable(Token&& token) {
    if (SSL_has_pending(ssl_) == 0) (void)SSL_free_buffers(ssl_);
    return async_without_data(Call::wait_readable, std::forward<Token>(token));
  }
  // Sends close_notify (does not wait for the peer's).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return async_without_data(Call::shutdown, std::forward<Token>(token));
  }

 private:
  enum class Call { handshake, read, write, shutdown, wait_readable };

  // One attempt of the OpenSSL call; on success `done` holds the bytes moved.
  int attempt(Call call, asio::mutable_buffer buffer, std::size_t& done);
  // The error code for a failed call, from SSL_get_error and the error queue.
  beast::error_code failure(int ssl_error) const;

  // Retries `call` until it succeeds or fails, waiting for the socket whenever OpenSSL
  // wants to read or write. Never completes inside the initiating call.
  template <class Prepare>
  struct DriveOp {
    DriveOp(SocketTlsStream& stream, Call what, Prepare make_buffer)
        : s(stream),
          call(what),
          prepare(std::move(make_buffer)),
          alive(stream.layer_.alive_),
          deadline(stream.layer_.deadline_),
          direction(what == Call::write || what == Call::shutdown ? &stream.layer_.write_ : &stream.layer_.read_) {}
    SocketTlsStream& s;
    Call call;
    Prepare prepare;
    std::shared_ptr<bool> alive;
    std::chrono::steady_clock::time_point deadline;
    TlsSocketLayer::Direction* direction;
    bool waited = false, waiting = false, finishing = false;
    beast::error_code result{};
    std::size_t done = 0;

    template <class Self>
    void operator()(Self& self, beast::error_code ec = {}) {
      if (finishing) return self.complete(result, done);
      if (!*alive) return self.complete(asio::error::operation_aborted, 0);
      const bool past_deadline = std::chrono::steady_clock::now() >= deadline;
      if (waiting) {
        waiting = false;
        direction->end_wait();  // the timer stays armed: see Direction
        if (ec == asio::error::operation_aborted && past_deadline) return finish(self, beast::error::timeout);
        if (ec) return finish(self, ec);
      }
      if (past_deadline) return finish(self, beast::error::timeout);
      if (call == Call::wait_readable && (waited || SSL_has_pending(s.ssl_) == 1)) return finish(self, {});
      int e = SSL_ERROR_WANT_READ;  // wait_readable: nothing held, wait for the socket
      if (call != Call::wait_readable) {
        const asio::mutable_buffer buffer = prepare();
        if ((call == Call::read || call == Call::write) && buffer.size() == 0) return finish(self, {});
        const int r = s.attempt(call, buffer, done);
        if (r > 0) return finish(self, {});
        e = SSL_get_error(s.ssl_, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return finish(self, s.failure(e));
      }
      waited = waiting = true;
      if (deadline != std::chrono::steady_clock::time_point::max()) direction->begin_wait(deadline, alive);
      s.layer_.socket_.async_wait(e == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write,
                                  asio::bind_cancellation_slot(direction->cancel.slot(), std::move(self)));
    }

    template <class Self>
    void finish(Self& self, beast::error_code ec) {
      if (waited) return self.complete(ec, done);
      // Completing inside the initiation would resume the caller from within its own
      // call: go round the executor once.
      finishing = true;
      result = ec;
      asio::post(s.get_executor(), std::move(self));
    }
  };

  // A call that moves no application bytes completes with an error code alone.
  template <class Token>
  auto async_without_data(Call call, Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code)>(
        [this, call](auto handler) {
          this->async_drive(call, [] { return asio::mutable_buffer(); },
                      [h = std::move(handler)](beast::error_code ec, std::size_t) mutable { std::move(h)(ec); });
        },
        token);
  }

  template <class Prepare, class Token>
  auto async_drive(Call call, Prepare prepare, Token&& token) {
    return asio::async_compose<Token, void(beast::error_code, std::size_t)>(
        DriveOp<Prepare>(*this, call, std::move(prepare)), token, layer_.socket_);
  }

  TlsSocketLayer layer_;
  SSL* ssl_ = nullptr;
};

}  // namespace paygate::net
