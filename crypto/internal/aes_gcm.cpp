#include "crypto/internal/aes_gcm.h"

#include <botan/aead.h>
#include <botan/exceptn.h>

#include <string>

namespace paygate::crypto::internal {
namespace {

std::unique_ptr<Botan::AEAD_Mode> make_gcm(std::size_t key_size, Botan::Cipher_Dir direction) {
  std::string name = "AES-" + std::to_string(key_size * 8) + "/GCM";
  return Botan::AEAD_Mode::create(name, direction);
}

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
    auto gcm = make_gcm(key.size(), Botan::ENCRYPTION);
    gcm->set_key(key.data(), key.size());
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
    auto gcm = make_gcm(key.size(), Botan::DECRYPTION);
    gcm->set_key(key.data(), key.size());
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
