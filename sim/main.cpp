// paygate-processor-sim: an HTTPS payment processor for demos, tests and benchmarks.
#include <signal.h>

#include <cstdio>
#include <span>
#include <stdexcept>

#include "config/units.h"
#include "cli/args.h"
#include "cli/ready_file.h"
#include "config/iso8583_spec_loader.h"
#include "sim/iso_server.h"
#include "sim/server.h"

int main(int argc, char** argv) {
  using namespace paygate;
  const cli::CommandSpec spec{
      "processor-sim",
      "Serve HTTPS like a payment processor (amount rules in docs/simulator.md).",
      "",
      {{"listen", "HOST:PORT", "address to listen on (default 127.0.0.1:9443; port 0 = any)", false},
       {"certificate", "FILE", "server certificate chain (PEM)", true},
       {"private-key", "FILE", "server private key (PEM, mode 0600)", true},
       {"threads", "N", "network threads (default 1)", false},
       {"jwe-key", "FILE", "the processor's JWE private key (PEM or JWK): opens card fields encrypted for it", false},
       {"jwe-unopened", "", "without --jwe-key: accept JWE card fields without opening them (benchmarks)", false},
       {"iso8583-listen", "HOST:PORT", "also serve ISO 8583 over TLS here (port 0 = any)", false},
       {"iso8583-spec", "NAME|FILE", "ISO 8583 spec (default iso8583-1987-ascii)", false},
       {"iso8583-framing", "NAME", "binary2 (default), bcd2 or ascii4", false},
       {"iso8583-max-delay-ms", "N", "answers wait 0..N ms, out of order (default 15; 0: answer at once)", false},
       {"iso8583-no-pan-echo", "", "answers leave out DE 2, as hosts that do not repeat the card number", false},
       {"handshake-delay-ms", "N", "fault: accept TCP, then wait N ms before the TLS handshake", false},
       {"drop-idle-probability", "P", "fault: after an answer, close the kept-alive connection with probability P", false},
       {"ready-file", "FILE", "write the bound addresses as JSON here once listening", false}}};
  std::string error;
  auto args = cli::parse(spec, std::span<char* const>(argv, static_cast<std::size_t>(argc)).subspan(1), error);
  if (!args) {
    std::fprintf(stderr, "paygate-processor-sim: %s\n\n%s", error.c_str(), cli::usage(spec).c_str());
    return 2;
  }
  if (args->help) {
    std::fputs(cli::usage(spec).c_str(), stdout);
    return 0;
  }
  sim::SimOptions options;
  if (auto listen = args->value("listen")) {
    auto endpoint = config::parse_endpoint(*listen);
    if (!endpoint) {
      std::fprintf(stderr, "paygate-processor-sim: --listen expects HOST:PORT\n");
      return 2;
    }
    options.listen = *endpoint;
  }
  options.tls.certificate = *args->value("certificate");
  options.tls.private_key = *args->value("private-key");
  if (auto threads = args->value("threads")) options.threads = static_cast<std::uint32_t>(std::stoul(*threads));
  if (auto jwe_key = args->value("jwe-key")) options.jwe_key = *jwe_key;
  options.jwe_unopened = args->flag("jwe-unopened");
  if (auto delay = args->value("handshake-delay-ms")) options.handshake_delay_ms = static_cast<std::uint32_t>(std::stoul(*delay));
  if (auto p = args->value("drop-idle-probability")) options.drop_idle_probability = std::stod(*p);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<sim::SimServer> server;
  try {
    server = sim::SimServer::start(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "paygate-processor-sim: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "paygate-processor-sim listening on %s\n", server->bound().to_string().c_str());
  std::vector<std::pair<std::string, config::Endpoint>> bound{{"processor", server->bound()}};
  std::unique_ptr<sim::IsoSimServer> iso_server;
  if (auto listen = args->value("iso8583-listen")) {
    sim::IsoSimOptions iso;
    auto endpoint = config::parse_endpoint(*listen);
    auto framing = protocol::iso8583::parse_framing(args->value("iso8583-framing").value_or("binary2"));
    auto iso_spec = config::load_iso8583_spec(config::iso8583_spec_path(args->value("iso8583-spec").value_or("iso8583-1987-ascii")));
    if (!endpoint || !framing || !iso_spec.ok()) {
      std::fprintf(stderr, "paygate-processor-sim: bad --iso8583-listen, --iso8583-framing or --iso8583-spec\n");
      return 2;
    }
    iso.listen = *endpoint;
    iso.tls = options.tls;
    iso.framing = *framing;
    iso.spec = iso_spec.spec;
    if (auto delay = args->value("iso8583-max-delay-ms")) iso.max_delay_ms = std::stoi(*delay);
    iso.echo_pan = !args->flag("iso8583-no-pan-echo");
    try {
      iso_server = sim::IsoSimServer::start(iso);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "paygate-processor-sim: %s\n", e.what());
      return 1;
    }
    std::fprintf(stderr, "paygate-processor-sim ISO 8583 on %s\n", iso_server->bound().to_string().c_str());
    bound.emplace_back("iso8583", iso_server->bound());
  }
  if (auto ready = args->value("ready-file"); ready && !cli::write_ready_file(*ready, bound)) {
    std::fprintf(stderr, "paygate-processor-sim: cannot write %s\n", ready->c_str());
    return 1;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  server->stop();
  server->wait();
  return 0;
}
