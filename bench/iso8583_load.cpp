// iso8583-load: drives ISO 8583 0100 requests over TLS at an iso8583 listener (or the
// simulator directly), with C connections each keeping W requests in flight, for D
// seconds; prints exchanges/s and latency percentiles. Every answer is checked: it must
// carry the STAN of a request in flight on its connection and DE 39 "00".
//
//   iso8583-load --connect HOST:PORT --ca FILE [--cert FILE --key FILE] [--server-name N]
//                [--connections C] [--window W] [--seconds D] [--spec NAME] [--cards N]
// --cards N: each request carries one of N different card numbers (default 1), so that
// fraud screening sees a realistic spread of cards rather than one card a thousand times.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <span>
#include <unordered_map>

#include "config/iso8583_spec_loader.h"
#include "config/units.h"
#include "cli/args.h"
#include "net/asio.h"
#include "net/iso_frames.h"
#include "net/tls_context.h"
#include "protocol/iso8583/codec.h"

namespace {

using namespace paygate;
using namespace paygate::net;
namespace iso = protocol::iso8583;
using Clock = std::chrono::steady_clock;

struct Totals {
  std::vector<double> latencies_us;
  std::uint64_t errors = 0;
};

struct Load {
  std::shared_ptr<const iso::MessageSpec> spec;
  ssl::context* tls = nullptr;
  tcp::endpoint endpoint;
  std::string server_name;
  int window = 1;
  std::uint64_t cards = 1;
  Clock::time_point stop;
};

// The n-th test card: 411111, nine digits of n, the Luhn check digit.
std::string card_number(std::uint64_t n) {
  char base[16];
  std::snprintf(base, sizeof base, "411111%09llu", static_cast<unsigned long long>(n % 1'000'000'000));
  int sum = 0;
  for (int i = 14; i >= 0; --i) {
    int d = base[i] - '0';
    if ((14 - i) % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return std::string(base) + static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::vector<std::uint8_t> make_request(const Load& load, int connection, std::uint32_t stan) {
  static std::uint64_t sequence = 0;
  const iso::MessageSpec& spec = *load.spec;
  iso::Message m;
  m.mti = "0100";
  m.fields.set(2, card_number(load.cards > 1 ? sequence++ % load.cards : 0));
  m.fields.set(3, "000000");
  m.fields.set(4, "000000001000");
  m.fields.set(7, "1130120000");
  char text[16];
  std::snprintf(text, sizeof text, "%06u", stan % 1000000);
  m.fields.set(11, text);
  std::snprintf(text, sizeof text, "T%07d", connection);
  m.fields.set(41, text);
  m.fields.set(42, "MERCHANT0000001");
  m.fields.set(49, "978");
  return framed(iso::Framing::binary2, iso::pack(spec, m).value);
}

asio::awaitable<void> drive(const Load& load, int index, Totals& totals) {
  auto executor = co_await asio::this_coro::executor;
  TlsStream stream(executor, *load.tls);
  set_peer_name(stream.native_handle(), load.server_name);
  auto [cec] = co_await stream.next_layer().async_connect(load.endpoint, use_tuple);
  if (!cec) {
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
    cec = hec;
  }
  if (cec) {
    std::fprintf(stderr, "connection %d: %s\n", index, cec.message().c_str());
    ++totals.errors;
    co_return;
  }
  std::unordered_map<std::string, Clock::time_point> in_flight;
  std::uint32_t stan = 0;
  // Send the window, then one new request per answer until the time is up.
  std::vector<std::uint8_t> batch;
  for (int i = 0; i < load.window; ++i) {
    auto r = make_request(load, index, ++stan);
    char key[8];
    std::snprintf(key, sizeof key, "%06u", stan % 1000000);
    in_flight[key] = Clock::now();
    batch.insert(batch.end(), r.begin(), r.end());
  }
  co_await asio::async_write(stream, asio::buffer(batch), use_tuple);
  while (!in_flight.empty()) {
    auto frame = co_await read_frame(stream, iso::Framing::binary2, 65535, std::chrono::seconds(10), std::chrono::seconds(10));
    if (frame.status != FrameStatus::ok) {
      ++totals.errors;
      break;
    }
    auto answer = iso::unpack(*load.spec, frame.body);
    const auto now = Clock::now();
    if (!answer.ok() || answer.value.fields.get(39) != "00") ++totals.errors;
    auto it = answer.ok() ? in_flight.find(std::string(answer.value.fields.get(11))) : in_flight.end();
    if (it == in_flight.end()) {
      ++totals.errors;
      break;
    }
    totals.latencies_us.push_back(std::chrono::duration<double, std::micro>(now - it->second).count());
    in_flight.erase(it);
    if (now < load.stop) {
      auto r = make_request(load, index, ++stan);
      char key[8];
      std::snprintf(key, sizeof key, "%06u", stan % 1000000);
      in_flight[key] = Clock::now();
      auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(r), use_tuple);
      if (wec) {
        ++totals.errors;
        break;
      }
    }
  }
  beast::error_code ignored;
  stream.next_layer().socket().close(ignored);
}

}  // namespace

int main(int argc, char** argv) {
  const cli::CommandSpec command{
      "iso8583-load",
      "Drive ISO 8583 0100 requests over TLS; print exchanges/s and latency percentiles.",
      "",
      {{"connect", "HOST:PORT", "the ISO 8583 listener", true},
       {"ca", "FILE", "trust anchor", true},
       {"cert", "FILE", "client certificate", false},
       {"key", "FILE", "its key", false},
       {"server-name", "NAME", "name on the server certificate (default localhost)", false},
       {"connections", "C", "connections (default 1)", false},
       {"window", "W", "requests in flight per connection (default 32)", false},
       {"seconds", "D", "duration (default 10)", false},
       {"spec", "NAME", "message spec (default iso8583-1987-ascii)", false},
       {"cards", "N", "spread requests over N card numbers (default 1)", false}}};
  std::string error;
  auto args = cli::parse(command, std::span<char* const>(argv, static_cast<std::size_t>(argc)).subspan(1), error);
  if (!args || args->help) {
    std::fprintf(stderr, "%s%s", error.c_str(), cli::usage(command).c_str());
    return args ? 0 : 2;
  }
  auto spec = config::load_iso8583_spec(config::iso8583_spec_path(args->value("spec").value_or("iso8583-1987-ascii")));
  auto endpoint = config::parse_endpoint(*args->value("connect"));
  if (!spec.ok() || !endpoint) return 2;
  ssl::context tls(ssl::context::tls_client);
  tls.load_verify_file(*args->value("ca"));
  if (args->value("cert")) {
    tls.use_certificate_chain_file(*args->value("cert"));
    tls.use_private_key_file(*args->value("key"), ssl::context::pem);
  }
  tls.set_verify_mode(ssl::verify_peer);
  asio::io_context io(1);
  Load load;
  load.spec = spec.spec;
  load.tls = &tls;
  load.endpoint = tcp::endpoint(asio::ip::make_address(endpoint->host == "localhost" ? "127.0.0.1" : endpoint->host), endpoint->port);
  load.server_name = args->value("server-name").value_or("localhost");
  load.window = std::stoi(args->value("window").value_or("32"));
  load.cards = std::stoull(args->value("cards").value_or("1"));
  const int connections = std::stoi(args->value("connections").value_or("1"));
  const double seconds = std::stod(args->value("seconds").value_or("10"));
  const auto start = Clock::now();
  load.stop = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Totals totals;
  for (int c = 0; c < connections; ++c) asio::co_spawn(io, drive(load, c, totals), asio::detached);
  io.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  auto& l = totals.latencies_us;
  std::sort(l.begin(), l.end());
  auto pct = [&](double p) { return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<std::size_t>(p * static_cast<double>(l.size())))]; };
  std::printf("connections=%d window=%d exchanges=%zu errors=%llu seconds=%.1f rate=%.0f/s p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus\n",
              connections, load.window, l.size(), static_cast<unsigned long long>(totals.errors), elapsed,
              static_cast<double>(l.size()) / elapsed, pct(0.50), pct(0.90), pct(0.99), l.empty() ? 0.0 : l.back());
  return totals.errors == 0 ? 0 : 1;
}
