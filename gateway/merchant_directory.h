// Who is calling: merchants by client certificate (SAN URI, subject CN or SHA-256
// fingerprint of a certificate the listener's client CA verified) and by API key (the
// config holds only SHA-256 hashes; every configured hash is compared, in constant time,
// whatever matches first). Built once per configuration; immutable; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "crypto/digest.h"
#include "net/peer_certificate.h"

namespace paygate::gateway {

class MerchantDirectory {
 public:
  explicit MerchantDirectory(const config::Config& config);

  // False when the config has no merchants: the gateway then runs unauthenticated.
  bool enabled() const { return !merchants_.empty(); }

  const config::Merchant* by_certificate(const net::PeerCertificate& peer) const;
  const config::Merchant* by_api_key(std::string_view key) const;

 private:
  struct KeyHash {
    crypto::Sha256 hash;
    const config::Merchant* merchant;
  };
  std::vector<const config::Merchant*> merchants_;
  std::vector<KeyHash> api_keys_;
};

}  // namespace paygate::gateway
