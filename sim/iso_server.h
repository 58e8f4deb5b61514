// The simulator's ISO 8583 endpoint: an acquirer host over TLS that answers 0100, 0200,
// 0400, 0420 and 0800 with their response MTIs, deliberately out of order (each answer
// waits a random few milliseconds), and misbehaves on request for tests. The fault is
// chosen per message by its amount (DE 4):
//   ...901  no answer            ...902  an answer with the wrong STAN
//   ...903  a garbage frame      ...904  the link is dropped
//   ...905  a slow answer (1.5 s)
// Approves (DE 39 "00") when DE 2 is a Luhn-valid PAN, else "14" (invalid card): a token
// reaching it means the gateway failed to detokenize.
#pragma once

#include <memory>

#include "config/config.h"
#include "protocol/iso8583/framing.h"
#include "protocol/iso8583/spec.h"

namespace paygate::sim {

struct IsoSimOptions {
  config::Endpoint listen{"127.0.0.1", 0};
  config::ServerTls tls;
  std::shared_ptr<const protocol::iso8583::MessageSpec> spec;
  protocol::iso8583::Framing framing = protocol::iso8583::Framing::binary2;
  int max_delay_ms = 15;  // each answer waits 0..max_delay_ms (out of order on purpose); 0 for benchmarks
  bool echo_pan = true;   // false: answers leave DE 2 out (hosts that do not repeat the card number)
};

class IsoSimServer {
 public:
  // Binds and starts its own thread; throws std::runtime_error on bind or TLS errors.
  static std::unique_ptr<IsoSimServer> start(const IsoSimOptions& options);
  ~IsoSimServer();
  config::Endpoint bound() const;

  struct State;

 private:
  explicit IsoSimServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace paygate::sim
