// The admin listener: a small HTTP (or mutual-TLS HTTPS) server on its own thread (loopback by default)
// for /healthz, /readyz, /metrics and POST /admin/reload. It reads at most 8 KiB of
// header and no body, and never touches the merchant-facing threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"

namespace paygate::gateway {

struct AdminRequest {
  std::string_view method;  // GET, POST or OTHER
  std::string_view path;
  std::map<std::string, std::string, std::less<>> query;
  const std::string& body;  // at most 64 KiB
};

struct AdminAnswer {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class AdminServer {
 public:
  using Handler = std::function<AdminAnswer(const AdminRequest& request)>;
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
