#include "gateway/merchant_directory.h"

#include "crypto/encoding.h"
#include "crypto/secret.h"

namespace paygate::gateway {

MerchantDirectory::MerchantDirectory(const config::Config& config) {
  for (const auto& m : config.merchants) {
    merchants_.push_back(&m);
    for (const auto& hex : m.api_key_sha256) {
      auto bytes = crypto::hex_decode(hex);
      if (!bytes || bytes->size() != 32) continue;  // the loader checked the format
      KeyHash k{};
      std::copy(bytes->begin(), bytes->end(), k.hash.begin());
      k.merchant = &m;
      api_keys_.push_back(k);
    }
  }
}

const config::Merchant* MerchantDirectory::by_certificate(const net::PeerCertificate& peer) const {
  for (const config::Merchant* m : merchants_) {
    for (const auto& match : m->certificates) {
      switch (match.kind) {
        case config::CertificateMatch::Kind::san_uri:
          for (const auto& uri : peer.san_uris) {
            if (uri == match.value) return m;
          }
          break;
        case config::CertificateMatch::Kind::subject_cn:
          if (!peer.subject_cn.empty() && peer.subject_cn == match.value) return m;
          break;
        case config::CertificateMatch::Kind::sha256:
          if (peer.sha256_hex == match.value) return m;
          break;
      }
    }
  }
  return nullptr;
}

const config::Merchant* MerchantDirectory::by_api_key(std::string_view key) const {
  if (key.empty()) return nullptr;
  const crypto::Sha256 presented = crypto::sha256(key);
  const config::Merchant* found = nullptr;
  for (const KeyHash& k : api_keys_) {
    // No early exit: the time taken does not depend on which entry matched.
    const bool equal = crypto::constant_time_equal(presented, k.hash);
    if (equal && !found) found = k.merchant;
  }
  return found;
}

}  // namespace paygate::gateway
