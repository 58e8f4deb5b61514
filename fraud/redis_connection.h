// One blocking connection to Redis, over TCP or TLS: connect (and handshake) within a
// timeout, then one command at a time, each written and answered within the timeout.
// Written here rather than taken from hiredis because Debian 12's hiredis (0.14) has no
// TLS; the protocol part is fraud/resp.h.
//
// Blocking: every call waits for the network (up to the timeout); call it from the
// blocking pool, never a network thread. Thread-safety: one thread per connection.
// Errors: a failed call says why in `failure()`; the connection is then unusable.
// Nothing sent or received is logged or kept in an error text (AUTH carries a password).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "fraud/resp.h"

struct ssl_ctx_st;
struct ssl_st;

namespace paygate::fraud {

// TLS to Redis: a client context with paygate's TLS policy and the CA that issued Redis's
// certificate (built by the caller, e.g. net::make_client_context), and what names the
// peer on each connection (SNI and the name its certificate must carry).
struct RedisTls {
  std::shared_ptr<ssl_ctx_st> context;
  std::function<bool(ssl_st*)> name_peer;
};

class RedisConnection {
 public:
  enum class Failure {
    none,
    connect,    // no TCP connection (refused, unreachable, timed out, name unknown)
    handshake,  // TLS failed: certificate not trusted, wrong name, no common protocol
    closed,     // the server closed the connection
    timeout,    // no complete answer within the timeout
    io,         // another socket error
    protocol,   // the answer is not RESP
  };

  // Connects to host:port (and handshakes when `tls` is given) within `timeout`, which
  // then bounds each command. Returns the connection, or nullptr with `failure` set.
  static std::unique_ptr<RedisConnection> open(const std::string& host, std::uint16_t port, const RedisTls* tls,
                                               std::chrono::milliseconds timeout, Failure& failure);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command and waits for its reply. A Redis error reply is a reply (type
  // error), not a failure. nullopt on failure (see failure()).
  std::optional<resp::Reply> command(std::span<const std::string_view> args);
  Failure failure() const { return failure_; }

 private:
  RedisConnection(int fd, ssl_st* ssl, std::chrono::milliseconds timeout) : fd_(fd), ssl_(ssl), timeout_(timeout) {}
  using Deadline = std::chrono::steady_clock::time_point;
  bool write_all(std::string_view data, Deadline deadline);
  // Appends what is available to in_; false on failure.
  bool read_some(Deadline deadline);

  int fd_;
  ssl_st* ssl_;  // null over plain TCP
  std::chrono::milliseconds timeout_;
  Failure failure_ = Failure::none;
  std::string out_;
  std::string in_;
};

const char* to_string(RedisConnection::Failure failure);

}  // namespace paygate::fraud
