// TLS contexts with paygate's fixed policy: TLS 1.2 and 1.3 only, ECDHE key exchange and
// AEAD ciphers only, server cipher preference, no renegotiation, no compression.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config/config.h"

namespace boost::asio::ssl { class context; }
struct ssl_st;

namespace paygate::net {

// Thrown only while building contexts (start-up and reload), never on the data plane.
// The message names the file and OpenSSL's reason; it never contains key material.
class TlsSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A server context for a merchant-facing listener. With `client_ca` set, client
// certificates are verified against it (and demanded when `require_client_certificate`).
std::shared_ptr<boost::asio::ssl::context> make_server_context(const config::ServerTls& tls);

// A client context for connections to a processor (or another peer, named in errors as
// `peer`): peer verification against `tls.ca`, and the client certificate when one is
// configured.
std::shared_ptr<boost::asio::ssl::context> make_client_context(const config::ClientTls& tls,
                                                               std::string_view peer = "processor");

// Sets SNI (for names, not IP literals) and the name or address the processor's
// certificate must carry on one client connection. Returns false when OpenSSL refuses.
bool set_peer_name(ssl_st* ssl, const std::string& server_name);

}  // namespace paygate::net
