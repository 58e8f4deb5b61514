#include "crypto/chain_mac.h"

#include <botan/mac.h>

#include "crypto/secret.h"

namespace paygate::crypto {

struct ChainMac::Impl {
  std::unique_ptr<Botan::MessageAuthenticationCode> mac;
};

ChainMac::ChainMac(std::string key_id, std::unique_ptr<Impl> impl) : key_id_(std::move(key_id)), impl_(std::move(impl)) {}
ChainMac::ChainMac(ChainMac&&) noexcept = default;
ChainMac& ChainMac::operator=(ChainMac&&) noexcept = default;
ChainMac::~ChainMac() = default;

Result<ChainMac> ChainMac::for_signing(const KeyRing& keyring) {
  const Key* key = keyring.primary(KeyUse::audit);
  if (!key) return make_error(ErrorCode::unknown_key, "the keyring has no primary audit key");
  return for_verifying(keyring, key->id());
}

Result<ChainMac> ChainMac::for_verifying(const KeyRing& keyring, std::string_view key_id) {
  auto key = keyring.for_decrypt(key_id, KeyUse::audit);
  if (!key) return key.error();
  const Key& k = *key.value();
  if (k.algorithm() != KeyAlgorithm::hmac_sha256) {
    return make_error(ErrorCode::wrong_key_use, "audit key " + k.id() + " is not an hmac-sha256 key");
  }
  auto impl = std::make_unique<Impl>();
  impl->mac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
  impl->mac->set_key(reveal_secret(k.material()));
  return ChainMac(k.id(), std::move(impl));
}

ChainTag ChainMac::compute(const ChainTag& previous, std::string_view record) const {
  impl_->mac->update(previous.data(), previous.size());
  impl_->mac->update(reinterpret_cast<const std::uint8_t*>(record.data()), record.size());
  ChainTag tag;
  impl_->mac->final(tag.data());
  return tag;
}

bool ChainMac::verify(const ChainTag& previous, std::string_view record, const ChainTag& tag) const {
  return constant_time_equal(compute(previous, record), tag);
}

}  // namespace paygate::crypto
