// The identity a merchant's client certificate carries, read after the TLS handshake:
// only from a certificate that verified against the listener's client CA.
#pragma once

#include <optional>
#include <string>
#include <vector>

struct ssl_st;

namespace paygate::net {

// What a verified client certificate says about its holder.
struct PeerCertificate {
  std::vector<std::string> san_uris;
  std::string subject_cn;
  std::string sha256_hex;  // of the DER certificate, lowercase
};

// nullopt when the client sent no certificate or it did not verify.
std::optional<PeerCertificate> verified_peer_certificate(ssl_st* ssl);

}  // namespace paygate::net
