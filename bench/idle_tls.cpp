// idle-tls: opens N TLS connections to a server, completes each handshake, sends nothing
// and holds them — for measuring what idle connections cost a proxy (bench/e2e). Prints
// "ready N" once all are open, holds them --hold seconds, then closes them.
//
//   idle-tls --connect HOST:PORT --ca FILE [--count N] [--hold SECONDS]
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include "config/units.h"
#include "cli/args.h"
#include "net/asio.h"
#include "net/tls_context.h"

int main(int argc, char** argv) {
  using namespace paygate;
  using namespace paygate::net;
  const cli::CommandSpec command{"idle-tls", "Open N TLS connections and hold them idle.", "",
                                 {{"connect", "HOST:PORT", "server", true},
                                  {"ca", "FILE", "trust anchor", true},
                                  {"count", "N", "connections (default 10000)", false},
                                  {"hold", "SECONDS", "how long to hold them once open (default 5)", false}}};
  std::string error;
  auto args = cli::parse(command, std::span<char* const>(argv, static_cast<std::size_t>(argc)).subspan(1), error);
  if (!args || args->help) {
    std::fprintf(stderr, "%s%s", error.c_str(), cli::usage(command).c_str());
    return args ? 0 : 2;
  }
  auto endpoint = config::parse_endpoint(*args->value("connect"));
  if (!endpoint) return 2;
  const int count = std::stoi(args->value("count").value_or("10000"));
  const int hold = std::stoi(args->value("hold").value_or("5"));
  asio::io_context io(1);
  ssl::context tls(ssl::context::tls_client);
  tls.load_verify_file(*args->value("ca"));
  tls.set_verify_mode(ssl::verify_peer);
  std::vector<std::unique_ptr<TlsStream>> streams;
  int open = 0, failed = 0;
  const tcp::endpoint target(asio::ip::make_address(endpoint->host), endpoint->port);
  // At most 100 handshakes at once, like a client pool warming up.
  auto opener = [&]() -> asio::awaitable<void> {
    for (;;) {
      const int index = static_cast<int>(streams.size());
      if (index >= count) co_return;
      streams.push_back(std::make_unique<TlsStream>(io, tls));
      TlsStream& s = *streams.back();
      set_peer_name(s.native_handle(), "localhost");
      auto [cec] = co_await s.next_layer().async_connect(target, use_tuple);
      if (!cec) {
        auto [hec] = co_await s.async_handshake(ssl::stream_base::client, use_tuple);
        cec = hec;
      }
      if (cec) ++failed;
      else ++open;
    }
  };
  for (int i = 0; i < 100; ++i) asio::co_spawn(io, opener(), asio::detached);
  io.run();
  std::printf("ready %d open, %d failed\n", open, failed);
  std::fflush(stdout);
  // Hold: read with a timer so that a server closing them is noticed (and counted).
  asio::steady_timer timer(io, std::chrono::seconds(hold));
  timer.async_wait([](auto) {});
  io.restart();
  io.run();
  return failed == 0 ? 0 : 1;
}
