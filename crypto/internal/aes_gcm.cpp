#include "crypto/internal/aes_gcm.h"

#include <botan/aead.h>
#include <botan/exceptn.h>

#include <array>
#include <memory>
#include <string>

namespace paygate::crypto::internal {
namespace {

// This thread's GCM object for a key size and direction, keyed with `key` until the
// returned guard goes: then clear() zeroes its key schedule and state, so neither a key
// nor half-used state outlives the call (an exception included). Made once per thread:
// creating one by name per call was a lookup, allocations and table setup per 3-byte CVV
// (issue #21); only the key schedule is redone per call, as JWE keys are per message.
class KeyedGcm {
 public:
  KeyedGcm(std::span<const std::uint8_t> key, Botan::Cipher_Dir direction) {
    thread_local std::array<std::unique_ptr<Botan::AEAD_Mode>, 6> modes;
    const std::size_t slot = (key.size() / 8 - 2) * 2 + (direction == Botan::ENCRYPTION ? 0 : 1);  // 16/24/32 bytes
    auto& mode = modes[slot];
    if (!mode) mode = Botan::AEAD_Mode::create_or_throw("AES-" + std::to_string(key.size() * 8) + "/GCM", direction);
    mode_ = mode.get();
    mode_->set_key(key.data(), key.size());
  }
  ~KeyedGcm() { mode_->clear(); }
  KeyedGcm(const KeyedGcm&) = delete;
  KeyedGcm& operator=(const KeyedGcm&) = delete;
  Botan::AEAD_Mode* operator->() { return mode_; }

 private:
  Botan::AEAD_Mode* mode_;
};

Status check(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce) {
  if (key.size() != 16 && key.size() != 24 && key.size() != 32) {
    return make_error(ErrorCode::invalid_argument, "AES-GCM keys are 16, 24 or 32 bytes");
  }
  // GCM with an empty nonce is undefined (SP 800-38D requires at least one bit).
  if (nonce.empty()) return make_error(ErrorCode::invalid_argument, "AES-GCM nonce must not be empty");
  return {};
}

}  // namespace

Result<std::vector<std::uint8_t>> aes_gcm_seal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                                               std::span<const std::uint8_t> aad,
                                               std::span<const std::uint8_t> plaintext) {
  if (auto s = check(key, nonce); !s) return s.error();
  try {
    KeyedGcm gcm(key, Botan::ENCRYPTION);
    gcm->set_associated_data(aad.data(), aad.size());
    gcm->start(nonce.data(), nonce.size());
    Botan::secure_vector<std::uint8_t> buffer(plaintext.begin(), plaintext.end());
    gcm->finish(buffer);
    return std::vector<std::uint8_t>(buffer.begin(), buffer.end());
  } catch (const Botan::Exception&) {
    return make_error(ErrorCode::internal, "AES-GCM encryption failed");
  }
}

Result<Botan::secure_vector<std::uint8_t>> aes_gcm_open(std::span<const std::uint8_t> key,
                                                        std::span<const std::uint8_t> nonce,
                                                        std::span<const std::uint8_t> aad,
                                                        std::span<const std::uint8_t> sealed) {
  if (auto s = check(key, nonce); !s) return s.error();
  if (sealed.size() < gcm_tag_size) return make_error(ErrorCode::authentication_failed, "AES-GCM tag does not verify");
  try {
    KeyedGcm gcm(key, Botan::DECRYPTION);
    gcm->set_associated_data(aad.data(), aad.size());
    gcm->start(nonce.data(), nonce.size());
    Botan::secure_vector<std::uint8_t> buffer(sealed.begin(), sealed.end());
    gcm->finish(buffer);  // checks the tag in constant time; throws Invalid_Authentication_Tag
    return buffer;
  } catch (const Botan::Invalid_Authentication_Tag&) {
    return make_error(ErrorCode::authentication_failed, "AES-GCM tag does not verify");
  } catch (const Botan::Exception&) {
    return make_error(ErrorCode::internal, "AES-GCM decryption failed");
  }
}

}  // namespace paygate::crypto::internal
