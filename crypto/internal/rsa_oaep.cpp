#include "crypto/internal/rsa_oaep.h"

#include <botan/exceptn.h>
#include <botan/hash.h>
#include <botan/oaep.h>
#include <botan/pubkey.h>
#include <botan/rsa.h>

#include <string>

#include "crypto/random.h"

namespace paygate::crypto::internal {
namespace {

Error decryption_failed() { return make_error(ErrorCode::authentication_failed, "RSA-OAEP decryption failed"); }

}  // namespace

Result<std::vector<std::uint8_t>> rsa_oaep_encrypt(const Botan::Public_Key& key, std::string_view hash,
                                                   std::span<const std::uint8_t> plaintext) {
  try {
    Botan::PK_Encryptor_EME encryptor(key, system_rng(), "OAEP(" + std::string(hash) + ")");
    return encryptor.encrypt(plaintext.data(), plaintext.size(), system_rng());
  } catch (const Botan::Exception&) {
    return make_error(ErrorCode::invalid_argument, "RSA-OAEP encryption failed (message too long for the key?)");
  }
}

Result<Botan::secure_vector<std::uint8_t>> rsa_oaep_decrypt(const Botan::Private_Key& key, std::string_view hash,
                                                            std::span<const std::uint8_t> label,
                                                            std::span<const std::uint8_t> ciphertext) {
  // RFC 8017 7.1.2 step 1: the ciphertext is exactly k bytes.
  const std::size_t k = (key.key_length() + 7) / 8;
  if (ciphertext.size() != k) return decryption_failed();
  try {
    // The raw RSA operation (blinded), then OAEP decoding with the label; Botan's
    // PK_Decryptor_EME cannot take a binary label.
    Botan::PK_Decryptor_EME raw(key, system_rng(), "Raw");
    Botan::secure_vector<std::uint8_t> m = raw.decrypt(ciphertext.data(), ciphertext.size());
    if (m.size() > k) return decryption_failed();
    Botan::secure_vector<std::uint8_t> em(k - m.size(), 0);
    em.insert(em.end(), m.begin(), m.end());
    const std::string label_text(label.begin(), label.end());
    Botan::OAEP oaep(Botan::HashFunction::create_or_throw(std::string(hash)).release(),
                     Botan::HashFunction::create_or_throw(std::string(hash)).release(), label_text);
    std::uint8_t valid = 0;
    Botan::secure_vector<std::uint8_t> out = static_cast<const Botan::EME&>(oaep).unpad(valid, em.data(), em.size());
    if (valid != 0xff) return decryption_failed();
    return out;
  } catch (const Botan::Exception&) {
    return decryption_failed();
  }
}

}  // namespace paygate::crypto::internal
