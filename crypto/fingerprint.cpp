#include "crypto/fingerprint.h"

#include <botan/mac.h>

#include <memory>

#include "crypto/encoding.h"

namespace paygate::crypto {
namespace {

// This thread's HMAC-SHA-256 object, made once: made by name per call, it parsed the
// algorithm string and allocated about six times per fingerprint (issue #21). Its key is
// set per call and cleared after it, so no key-derived state outlives the call.
Botan::MessageAuthenticationCode& thread_hmac() {
  thread_local const std::unique_ptr<Botan::MessageAuthenticationCode> mac =
      Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
  return *mac;
}

Fingerprint compute(const Key& key, std::string_view merchant_id, std::string_view pan) {
  Botan::MessageAuthenticationCode& mac = thread_hmac();
  mac.set_key(reveal_secret(key.material()));
  // Length-prefix the merchant id so ("ab", "1...") and ("a", "b1...") never collide.
  const auto n = static_cast<std::uint32_t>(merchant_id.size());
  const std::uint8_t length[4] = {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                                  static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  mac.update(length, sizeof length);
  mac.update(reinterpret_cast<const std::uint8_t*>(merchant_id.data()), merchant_id.size());
  mac.update(reinterpret_cast<const std::uint8_t*>(pan.data()), pan.size());
  Fingerprint f;
  f.key_id = key.id();
  mac.final(f.mac.data());
  mac.clear();
  return f;
}

}  // namespace

std::string Fingerprint::hex() const { return hex_encode(mac); }

bool Fingerprint::operator==(const Fingerprint& other) const {
  return key_id == other.key_id && constant_time_equal(mac, other.mac);
}

Result<Fingerprint> Fingerprinter::fingerprint(std::string_view merchant_id, std::string_view pan) const {
  const Key* key = keyring_->primary(KeyUse::fingerprint);
  if (!key) return make_error(ErrorCode::unknown_key, "the keyring has no primary fingerprint key");
  return compute(*key, merchant_id, pan);
}

Result<Fingerprint> Fingerprinter::fingerprint_with(std::string_view key_id, std::string_view merchant_id,
                                                    std::string_view pan) const {
  auto key = keyring_->for_decrypt(key_id, KeyUse::fingerprint);
  if (!key) return key.error();
  return compute(*key.value(), merchant_id, pan);
}

}  // namespace paygate::crypto
