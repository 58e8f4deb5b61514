// paygate iso8583 send: one ISO 8583 request over TLS to an iso8583 listener (or any ISO
// 8583 host), and its answer printed like `iso8583 describe --json` — for operators and
// the demo. The client certificate is the merchant's identity, as the listener demands.
#include <cstdio>
#include <iostream>
#include <iterator>

#include "config/iso8583_spec_loader.h"
#include "config/units.h"
#include "cli/command.h"
#include "cli/iso8583_json.h"
#include "net/asio.h"
#include "net/iso_frames.h"
#include "net/tls_context.h"
#include "protocol/iso8583/codec.h"
#include "protocol/iso8583/printer.h"

namespace paygate::cli {

namespace iso = protocol::iso8583;

namespace {

using namespace net;

int send(const Args& args) {
  auto loaded = config::load_iso8583_spec(config::iso8583_spec_path(*args.value("spec")));
  for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (!loaded.spec) return exit_failure;
  auto framing = iso::parse_framing(args.value("framing").value_or("binary2"));
  auto endpoint = config::parse_endpoint(*args.value("connect"));
  if (!framing || !endpoint) {
    std::fprintf(stderr, "paygate iso8583 send: --connect expects HOST:PORT, --framing binary2, bcd2 or ascii4\n");
    return exit_usage;
  }
  const std::string input(std::istreambuf_iterator<char>(std::cin), {});
  iso::Message request;
  if (!message_from_json(input, request, "send")) return exit_failure;
  auto packed = iso::pack(*loaded.spec, request);
  if (!packed.ok()) {
    std::fprintf(stderr, "paygate iso8583 send: %s\n", packed.error->to_string().c_str());
    return exit_failure;
  }

  asio::io_context io;
  ssl::context tls(ssl::context::tls_client);
  beast::error_code ec;
  tls.load_verify_file(*args.value("ca"), ec);
  if (!ec && args.value("cert")) tls.use_certificate_chain_file(*args.value("cert"), ec);
  if (!ec && args.value("key")) tls.use_private_key_file(*args.value("key"), ssl::context::pem, ec);
  if (ec) {
    std::fprintf(stderr, "paygate iso8583 send: certificates: %s\n", ec.message().c_str());
    return exit_failure;
  }
  tls.set_verify_mode(ssl::verify_peer);
  TlsStream stream(io, tls);
  const std::string server_name = args.value("server-name").value_or(endpoint->host);
  set_peer_name(stream.native_handle(), server_name);
  tcp::resolver resolver(io);
  auto resolved = resolver.resolve(endpoint->host, std::to_string(endpoint->port), ec);
  if (!ec) beast::get_lowest_layer(stream).connect(resolved, ec);
  if (!ec) stream.handshake(ssl::stream_base::client, ec);
  if (!ec) asio::write(stream, asio::buffer(framed(*framing, packed.value)), ec);
  if (ec) {
    std::fprintf(stderr, "paygate iso8583 send: %s: %s\n", endpoint->to_string().c_str(), ec.message().c_str());
    return exit_failure;
  }
  Frame frame;
  asio::co_spawn(io, read_frame(stream, *framing, 65535, std::chrono::seconds(30), std::chrono::seconds(30)),
                 [&](std::exception_ptr, Frame f) { frame = std::move(f); });
  io.restart();
  io.run();
  if (frame.status != FrameStatus::ok) {
    std::fprintf(stderr, "paygate iso8583 send: no answer (the connection closed or timed out)\n");
    return exit_failure;
  }
  auto answer = iso::unpack(*loaded.spec, frame.body);
  if (!answer.ok()) {
    std::fprintf(stderr, "paygate iso8583 send: the answer does not unpack: %s\n", answer.error->to_string().c_str());
    return exit_failure;
  }
  const auto masking = args.flag("unmasked") ? iso::Masking::unmasked : iso::Masking::masked;
  std::printf("%s\n", iso::describe_json(*loaded.spec, answer.value, masking).c_str());
  return exit_ok;
}

}  // namespace

Command iso8583_send_command() {
  return {{"iso8583 send",
           "Send {\"0\": MTI, \"2\": ...} JSON from stdin as one ISO 8583 request over TLS; print the answer.",
           "",
           {{"connect", "HOST:PORT", "the ISO 8583 listener", true},
            {"spec", "NAME|FILE", "message spec (as for describe)", true},
            {"framing", "F", "binary2 (default), bcd2 or ascii4", false},
            {"ca", "FILE", "trust anchor for the server certificate", true},
            {"cert", "FILE", "client certificate (the merchant's identity)", false},
            {"key", "FILE", "its private key", false},
            {"server-name", "NAME", "name the server certificate must carry (default: the host)", false},
            {"unmasked", "", "print card fields in clear (test data only)", false}}},
          send};
}

}  // namespace paygate::cli
