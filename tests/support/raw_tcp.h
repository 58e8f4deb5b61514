// Test support: a plain blocking TCP connection to 127.0.0.1, for clients that never get
// as far as TLS (a connect and nothing, half a ClientHello).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace paygate::test {

class RawTcp {
 public:
  explicit RawTcp(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect() failed");
    }
  }
  RawTcp(RawTcp&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  RawTcp& operator=(RawTcp&&) = delete;
  RawTcp(const RawTcp&) = delete;
  ~RawTcp() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }

 private:
  int fd_;
};

}  // namespace paygate::test
