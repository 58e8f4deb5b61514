#include "crypto/internal/rsa_oaep.h"

#include <botan/exceptn.h>
#include <botan/pubkey.h>
#include <botan/rsa.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "crypto/random.h"

namespace paygate::crypto::internal {
namespace {

Error decryption_failed() { return make_error(ErrorCode::authentication_failed, "RSA-OAEP decryption failed"); }

}  // namespace

Result<std::vector<std::uint8_t>> rsa_oaep_encrypt(const Botan::Public_Key& key, std::string_view key_identity,
                                                   std::string_view hash, std::span<const std::uint8_t> plaintext) {
  // Per thread, bounded: a gateway has a handful of processor keys; a reload that swaps
  // them leaves old entries until the bound clears the map.
  thread_local std::unordered_map<std::string, std::unique_ptr<Botan::PK_Encryptor_EME>> encryptors;
  constexpr std::size_t max_encryptors = 32;
  std::string id;
  id.reserve(hash.size() + 1 + key_identity.size());
  id.append(hash).append(1, '/').append(key_identity);
  try {
    auto it = encryptors.find(id);
    if (it == encryptors.end() || key_identity.empty()) {
      if (encryptors.size() >= max_encryptors) encryptors.clear();
      auto made = std::make_unique<Botan::PK_Encryptor_EME>(key, message_rng(), "OAEP(" + std::string(hash) + ")");
      if (key_identity.empty()) return made->encrypt(plaintext.data(), plaintext.size(), message_rng());
      it = encryptors.emplace(std::move(id), std::move(made)).first;
    }
    return it->second->encrypt(plaintext.data(), plaintext.size(), message_rng());
  } catch (const Botan::Exception&) {
    return make_error(ErrorCode::invalid_argument, "RSA-OAEP encryption failed (message too long for the key?)");
  }
}

Result<Botan::secure_vector<std::uint8_t>> rsa_oaep_decrypt(const Botan::Private_Key& key, std::string_view hash,
                                                            std::span<const std::uint8_t> ciphertext) {
  // RFC 8017 7.1.2 step 1: exactly k bytes (Botan would take leading zeros). The length
  // is public, so this check leaks nothing.
  if (ciphertext.size() != (key.key_length() + 7) / 8) return decryption_failed();
  try {
    // Botan's OAEP decryptor: blinded RSA, the message kept at the modulus length, and a
    // constant-time unpadding whose one failure covers length, range, padding and label
    // (this replaced a hand-made decoder whose work depended on the top byte: Manger).
    const std::string h(hash);
    Botan::PK_Decryptor_EME decryptor(key, system_rng(), "OAEP(" + h + ",MGF1(" + h + "))");
    return decryptor.decrypt(ciphertext.data(), ciphertext.size());
  } catch (const Botan::Exception&) {
    return decryption_failed();
  }
}

}  // namespace paygate::crypto::internal
