// The admin listener: a small HTTP (or mutual-TLS HTTPS) server on its own thread (loopback by default)
// for /healthz, /readyz, /metrics and POST /admin/reload. It reads at most 8 KiB of
// header and no body, and never touches the merchant-facing threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"

namespace paygate::gateway {

struct AdminAnswer {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class AdminServer {
 public:
  using Handler = std::function<AdminAnswer(std::string_view method, std::string_view path)>;
  // Binds and starts; throws std::runtime_error when the address cannot be bound.
  // With admin.tls, HTTPS with a required client certificate.
  static std::unique_ptr<AdminServer> start(const config::Admin& admin, Handler handler);
  ~AdminServer();
  config::Endpoint bound() const;

  struct State;

 private:
  explicit AdminServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace paygate::gateway
