#include "fraud/redis_connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace paygate::fraud {
namespace {

using Clock = std::chrono::steady_clock;

// Waits until `fd` is ready for `events` or the deadline passes.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;  // ready, or an error the next call reports
    if (n < 0 && errno != EINTR) return false;
  }
}

// A non-blocking TCP connection to one of host's addresses, or -1.
int connect_tcp(const std::string& host, std::uint16_t port, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  for (const addrinfo* a = found; a; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int error = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS && wait_for(fd, POLLOUT, deadline)) {
        socklen_t length = sizeof error;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
      }
    }
    if (error == 0) {
      const int one = 1;  // one small command per round trip: no Nagle delay
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    ::close(fd);
  }
  return -1;
}

// Drives one TLS call that may want the socket readable or writable first. Returns
// SSL_get_error's verdict once it is neither want; `timed_out` when the deadline passed.
template <typename Call>
int drive_tls(ssl_st* ssl, int fd, Clock::time_point deadline, bool& timed_out, Call call) {
  for (;;) {
    ERR_clear_error();  // the queue is per thread, shared with whatever ran before
    const int result = call();
    if (result > 0) return SSL_ERROR_NONE;
    const int error = SSL_get_error(ssl, result);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return error;
    if (!wait_for(fd, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
      timed_out = true;
      return error;
    }
  }
}

}  // namespace

const char* to_string(RedisConnection::Failure failure) {
  switch (failure) {
    case RedisConnection::Failure::none: return "none";
    case RedisConnection::Failure::connect: return "connect";
    case RedisConnection::Failure::handshake: return "tls_handshake";
    case RedisConnection::Failure::closed: return "closed";
    case RedisConnection::Failure::timeout: return "timeout";
    case RedisConnection::Failure::io: return "io";
    case RedisConnection::Failure::protocol: return "protocol";
  }
  return "unknown";
}

std::unique_ptr<RedisConnection> RedisConnection::open(const std::string& host, std::uint16_t port,
                                                       const RedisTls* tls, std::chrono::milliseconds timeout,
                                                       Failure& failure) {
  const auto deadline = Clock::now() + timeout;
  const int fd = connect_tcp(host, port, deadline);
  if (fd < 0) {
    failure = Failure::connect;
    return nullptr;
  }
  ssl_st* ssl = nullptr;
  if (tls) {
    ssl = SSL_new(tls->context.get());
    bool timed_out = false;
    if (!ssl || SSL_set_fd(ssl, fd) != 1 || !tls->name_peer(ssl) ||
        drive_tls(ssl, fd, deadline, timed_out, [&] { return SSL_connect(ssl); }) != SSL_ERROR_NONE) {
      SSL_free(ssl);
      ::close(fd);
      failure = timed_out ? Failure::timeout : Failure::handshake;
      return nullptr;
    }
  }
  failure = Failure::none;
  return std::unique_ptr<RedisConnection>(new RedisConnection(fd, ssl, timeout));
}

RedisConnection::~RedisConnection() {
  if (ssl_) {
    // close_notify if it goes out at once; never wait for the peer's.
    ERR_clear_error();
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  ::close(fd_);
}

bool RedisConnection::write_all(std::string_view data, Deadline deadline) {
  while (!data.empty()) {
    if (ssl_) {
      std::size_t written = 0;
      bool timed_out = false;
      const int error = drive_tls(ssl_, fd_, deadline, timed_out,
                                  [&] { return SSL_write_ex(ssl_, data.data(), data.size(), &written); });
      if (error != SSL_ERROR_NONE) {
        failure_ = timed_out ? Failure::timeout : error == SSL_ERROR_ZERO_RETURN ? Failure::closed : Failure::io;
        return false;
      }
      data.remove_prefix(written);
      continue;
    }
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(fd_, POLLOUT, deadline)) {
        failure_ = Failure::timeout;
        return false;
      }
    } else if (errno != EINTR) {
      failure_ = errno == EPIPE || errno == ECONNRESET ? Failure::closed : Failure::io;
      return false;
    }
  }
  return true;
}

bool RedisConnection::read_some(Deadline deadline) {
  char buffer[4096];
  if (ssl_) {
    std::size_t got = 0;
    bool timed_out = false;
    const int error = drive_tls(ssl_, fd_, deadline, timed_out,
                                [&] { return SSL_read_ex(ssl_, buffer, sizeof buffer, &got); });
    if (error != SSL_ERROR_NONE) {
      // A peer that closes without close_notify is as closed as one that sends it.
      const bool closed = error == SSL_ERROR_ZERO_RETURN ||
                          (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) ||
                          (error == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
      failure_ = timed_out ? Failure::timeout : closed ? Failure::closed : Failure::io;
      return false;
    }
    in_.append(buffer, got);
    return true;
  }
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      in_.append(buffer, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) {
      failure_ = Failure::closed;
      return false;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(fd_, POLLIN, deadline)) {
        failure_ = Failure::timeout;
        return false;
      }
    } else if (errno != EINTR) {
      failure_ = errno == ECONNRESET ? Failure::closed : Failure::io;
      return false;
    }
  }
}

std::optional<resp::Reply> RedisConnection::command(std::span<const std::string_view> args) {
  if (failure_ != Failure::none) return std::nullopt;
  const auto deadline = Clock::now() + timeout_;
  out_.clear();
  resp::encode_command(args, out_);
  const bool written = write_all(out_, deadline);
  out_.assign(out_.size(), '\0');  // AUTH's password does not linger in the buffer
  if (!written) return std::nullopt;
  for (;;) {
    resp::Reply reply;
    std::size_t consumed = 0;
    switch (resp::parse_reply(in_, reply, consumed)) {
      case resp::ParseStatus::complete:
        in_.erase(0, consumed);
        return reply;
      case resp::ParseStatus::malformed:
        failure_ = Failure::protocol;
        return std::nullopt;
      case resp::ParseStatus::incomplete:
        if (!read_some(deadline)) return std::nullopt;
        break;
    }
  }
}

}  // namespace paygate::fraud
