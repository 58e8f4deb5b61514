#include "gateway/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace paygate::service {
namespace {

// The socket address, read once from the environment.
struct Target {
  sockaddr_un address{};
  socklen_t length = 0;
  int fd = -1;
};

const Target& target() {
  static const Target t = [] {
    Target out;
    const char* name = std::getenv("NOTIFY_SOCKET");
    if (name == nullptr || name[0] == '\0') return out;
    const std::size_t size = std::strlen(name);
    if ((name[0] != '/' && name[0] != '@') || size >= sizeof out.address.sun_path) return out;
    out.address.sun_family = AF_UNIX;
    std::memcpy(out.address.sun_path, name, size);
    if (name[0] == '@') out.address.sun_path[0] = '\0';  // abstract namespace
    out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + size);
    out.fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    return out;
  }();
  return t;
}

void send(const std::string& message) {
  const Target& t = target();
  if (t.fd < 0) return;
  (void)::sendto(t.fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&t.address),
                 t.length);
}

// STATUS= is one line: anything else would start a new assignment.
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

void ready(std::string_view status) { send("READY=1\nSTATUS=" + one_line(status)); }

void reloading() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void stopping() { send("STOPPING=1"); }

void watchdog() { send("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> watchdog_interval() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr) return std::nullopt;
  if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr && std::atol(pid) != ::getpid()) return std::nullopt;
  const long long value = std::atoll(usec);
  if (value <= 0) return std::nullopt;
  return std::chrono::microseconds(value / 2);
}

}  // namespace paygate::service
