// The identity a merchant's client certificate carries, read after the TLS handshake:
// only from a certificate that verified against the listener's client CA.
#pragma once

#include <optional>

#include "gateway/merchant_directory.h"

struct ssl_st;

namespace paygate::net {

// nullopt when the client sent no certificate or it did not verify.
std::optional<gateway::PeerCertificate> verified_peer_certificate(ssl_st* ssl);

}  // namespace paygate::net
