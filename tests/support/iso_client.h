// Test support: a blocking ISO 8583 client over TLS (framed messages), for end-to-end
// tests against the real gateway. Several requests may be sent before any answer is
// read: answers are read as they come, in whatever order the gateway writes them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/iso8583/framing.h"
#include "protocol/iso8583/message.h"
#include "protocol/iso8583/spec.h"
#include "tests/support/https_client.h"

namespace paygate::test {

// A request as the e2e tests send it: DE 2, 3, 4, 7, 11, 41, 42, 49 (DE 2 omitted when
// `pan` is empty).
protocol::iso8583::Message iso_request(const std::string& mti, int stan, const std::string& pan,
                                       const std::string& amount = "000000001000",
                                       const std::string& processing_code = "000000");

class IsoClient {
 public:
  // Connects and completes the TLS handshake; throws std::runtime_error when either fails.
  IsoClient(std::uint16_t port, const ClientOptions& options, const protocol::iso8583::MessageSpec& spec,
            protocol::iso8583::Framing framing = protocol::iso8583::Framing::binary2);
  ~IsoClient();

  void send(const protocol::iso8583::Message& message);  // throws when packing or writing fails
  bool write_raw(std::string_view bytes);                  // exact bytes, e.g. a lying header
  // The next answer, or nullopt when the connection closed or `timeout` passed.
  std::optional<protocol::iso8583::Message> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The next answer's bytes as they came (without the length header), for a peer's codec.
  std::optional<std::vector<std::uint8_t>> receive_bytes(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Whether the server closed the connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  const protocol::iso8583::MessageSpec& spec_;
  protocol::iso8583::Framing framing_;
};

}  // namespace paygate::test
