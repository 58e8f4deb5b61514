// systemd's notify protocol (gateway/service_notify.h), seen from the supervisor's side: a
// Unix datagram socket given to the gateway as $NOTIFY_SOCKET receives READY=1 once the
// listeners are bound, RELOADING=1 with MONOTONIC_USEC and then READY=1 with the outcome at
// each reload (success and refusal), WATCHDOG=1 at the asked rate, and STOPPING=1 at drain.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("bind");
    timeval timeout{0, 200000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~NotifySocket() { ::close(fd_); }

  // Messages until one starting with `prefix` arrives (kept in the list), or the timeout.
  bool wait_for(const std::string& prefix, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      messages.emplace_back(buffer, static_cast<std::size_t>(n));
      if (messages.back().rfind(prefix, 0) == 0) return true;
    }
    return false;
  }
  // The messages other than keep-alives, in order.
  std::vector<std::string> states() const {
    std::vector<std::string> out;
    for (const auto& m : messages) {
      if (m != "WATCHDOG=1") out.push_back(m.substr(0, m.find('\n')));
    }
    return out;
  }
  std::size_t count(const std::string& message) const {
    return static_cast<std::size_t>(std::count(messages.begin(), messages.end(), message));
  }

  std::vector<std::string> messages;

 private:
  int fd_ = -1;
};

TEST(ServiceNotify, TheGatewayTellsItsSupervisorEachStateInOrder) {
  const fs::path dir = make_temp_dir("notify");
  make_dev_keyring(dir);
  Simulator sim(make_temp_dir("notify-sim"));
  NotifySocket socket(dir / "notify.sock");
  ::setenv("NOTIFY_SOCKET", (dir / "notify.sock").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "200000", 1);  // keep-alives every 100 ms
  TestConfig settings;
  settings.sim_port = sim.port();
  const std::string good = make_config(settings) + "keys: { keyring: keys/keyring.yaml }\n";
  GatewayProcess gateway(dir, good);
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");

  ASSERT_TRUE(socket.wait_for("READY=1")) << gateway.log();
  EXPECT_EQ(socket.messages.back(), "READY=1\nSTATUS=serving generation 1");
  std::this_thread::sleep_for(600ms);
  ::kill(gateway.process().pid(), SIGHUP);
  ASSERT_TRUE(socket.wait_for("RELOADING=1"));
  EXPECT_TRUE(socket.messages.back().rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0) << socket.messages.back();
  ASSERT_TRUE(socket.wait_for("READY=1"));
  EXPECT_EQ(socket.messages.back(), "READY=1\nSTATUS=reloaded: serving generation 2");
  std::ofstream(gateway.config_file()) << good << "no_such_key: 1\n";
  ::kill(gateway.process().pid(), SIGHUP);
  ASSERT_TRUE(socket.wait_for("RELOADING=1"));
  ASSERT_TRUE(socket.wait_for("READY=1"));
  EXPECT_EQ(socket.messages.back(), "READY=1\nSTATUS=reload refused (1 problem): still serving generation 2");
  EXPECT_EQ(gateway.process().stop(SIGTERM), 0);
  ASSERT_TRUE(socket.wait_for("STOPPING=1", 1s));

  EXPECT_EQ(socket.states(), (std::vector<std::string>{"READY=1", "RELOADING=1", "READY=1", "RELOADING=1", "READY=1",
                                                       "STOPPING=1"}));
  EXPECT_GE(socket.count("WATCHDOG=1"), 4u) << "about 10 a second while it ran";
}

}  // namespace
}  // namespace paygate::test
