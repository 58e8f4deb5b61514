#include "crypto/aead_envelope.h"

#include <array>

#include "crypto/encoding.h"
#include "crypto/internal/aes_gcm.h"
#include "crypto/random.h"

namespace paygate::crypto {
namespace {

constexpr std::string_view prefix = "pg1.";
constexpr std::size_t nonce_size = 12;

// Length-prefixed parts, so that no two (key, field, merchant) triples share bytes.
std::vector<std::uint8_t> associated_data(std::string_view key_id, std::string_view field, std::string_view merchant) {
  std::vector<std::uint8_t> ad;
  ad.reserve(16 + key_id.size() + field.size() + merchant.size());
  for (std::string_view part : {std::string_view("pg1"), key_id, field, merchant}) {
    const auto n = static_cast<std::uint32_t>(part.size());
    for (int shift : {24, 16, 8, 0}) ad.push_back(static_cast<std::uint8_t>(n >> shift));
    ad.insert(ad.end(), part.begin(), part.end());
  }
  return ad;
}

struct Parsed {
  std::string_view key_id;
  std::string_view body;
};

Result<Parsed> parse(std::string_view envelope) {
  // The longest valid envelope: prefix, 64-byte id, dot, the base64url of the maximum.
  constexpr std::size_t max_size = 4 + 64 + 1 + ((nonce_size + envelope_max_plaintext + 16) * 4 + 2) / 3;
  if (envelope.size() > max_size || envelope.substr(0, prefix.size()) != prefix) {
    return make_error(ErrorCode::malformed, "not a pg1 envelope");
  }
  std::string_view rest = envelope.substr(prefix.size());
  auto dot = rest.find('.');
  if (dot == std::string_view::npos) return make_error(ErrorCode::malformed, "envelope has no key id");
  Parsed p{rest.substr(0, dot), rest.substr(dot + 1)};
  if (!valid_key_id(p.key_id)) return make_error(ErrorCode::malformed, "envelope key id is malformed");
  return p;
}

}  // namespace

Result<std::string> EnvelopeCipher::seal(std::span<const std::uint8_t> plaintext, std::string_view field_path,
                                         std::string_view merchant_id) const {
  if (plaintext.size() > envelope_max_plaintext) {
    return make_error(ErrorCode::invalid_argument, "field value is too large for an envelope");
  }
  const Key* key = keyring_->primary(KeyUse::data);
  if (!key) return make_error(ErrorCode::unknown_key, "the keyring has no primary data key");
  std::array<std::uint8_t, nonce_size> nonce;
  message_random_bytes(nonce);
  auto sealed = internal::aes_gcm_seal(reveal_secret(key->material()), nonce,
                                       associated_data(key->id(), field_path, merchant_id), plaintext);
  if (!sealed) return sealed.error();
  std::vector<std::uint8_t> body(nonce.begin(), nonce.end());
  body.insert(body.end(), sealed.value().begin(), sealed.value().end());
  return std::string(prefix) + key->id() + "." + base64url_encode(body);
}

Result<std::string> EnvelopeCipher::seal(std::string_view plaintext, std::string_view field_path,
                                         std::string_view merchant_id) const {
  return seal(std::span(reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()), field_path,
              merchant_id);
}

Result<Botan::secure_vector<std::uint8_t>> EnvelopeCipher::open(std::string_view envelope, std::string_view field_path,
                                                                std::string_view merchant_id) const {
  auto parsed = parse(envelope);
  if (!parsed) return parsed.error();
  auto body = base64url_decode(parsed.value().body);
  if (!body || body->size() < nonce_size + internal::gcm_tag_size) {
    return make_error(ErrorCode::malformed, "envelope body is not valid base64url of the right length");
  }
  auto key = keyring_->for_decrypt(parsed.value().key_id, KeyUse::data);
  if (!key) return key.error();
  std::span<const std::uint8_t> all(*body);
  return internal::aes_gcm_open(reveal_secret(key.value()->material()), all.first(nonce_size),
                                associated_data(parsed.value().key_id, field_path, merchant_id),
                                all.subspan(nonce_size));
}

Result<std::string> EnvelopeCipher::key_id_of(std::string_view envelope) {
  auto parsed = parse(envelope);
  if (!parsed) return parsed.error();
  return std::string(parsed.value().key_id);
}

}  // namespace paygate::crypto
