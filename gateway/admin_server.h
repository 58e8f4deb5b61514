// The admin listener's transport: a small HTTP (loopback only) or mutual-TLS HTTPS server
// on its own thread. It reads at most 8 KiB of header and 64 KiB of body, hands each
// request with the caller's address and verified certificate to the handler (admin_api.h
// decides who may do what), and never touches the merchant-facing threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "net/peer_certificate.h"

namespace paygate::gateway {

struct AdminRequest {
  std::string_view method;  // GET, POST or OTHER
  std::string_view path;     // without the query string (no admin call takes one)
  const std::string& body;  // at most 64 KiB
  std::string_view client_ip;
  const net::PeerCertificate* peer;  // the verified client certificate; null on plain HTTP
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
  // Builds the TLS context for `admin.tls` and makes it the one new connections get (a
  // reload: certificates, client CA, CRL). Throws std::runtime_error, changing nothing,
  // when it cannot be built. Thread-safe.
  void reload_tls(const config::Admin& admin);

  struct State;

 private:
  explicit AdminServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace paygate::gateway
