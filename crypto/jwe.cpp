#include "crypto/jwe.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <botan/exceptn.h>
#include <botan/mem_ops.h>
#include <botan/pk_keys.h>
#include <botan/rfc3394.h>
#include <botan/symkey.h>

#include <algorithm>
#include <array>

#include "crypto/encoding.h"
#include "crypto/internal/aes_gcm.h"
#include "crypto/internal/ecdh.h"
#include "crypto/internal/rsa_oaep.h"
#include "crypto/random.h"

namespace paygate::crypto {
namespace {

namespace json = boost::json;
using Bytes = std::vector<std::uint8_t>;
using Secret = Botan::secure_vector<std::uint8_t>;

enum class Alg { rsa_oaep_256, rsa_oaep, ecdh_es, ecdh_es_a128kw, ecdh_es_a256kw, a128kw, a256kw, dir };

struct AlgInfo {
  Alg alg;
  std::string_view name;
  JoseKey::Kind kind;
  std::size_t kek_bytes;  // key-wrapping key size, 0 when no key wrap
};
constexpr std::array<AlgInfo, 8> algs{{
    {Alg::rsa_oaep_256, "RSA-OAEP-256", JoseKey::Kind::rsa, 0},
    {Alg::rsa_oaep, "RSA-OAEP", JoseKey::Kind::rsa, 0},
    {Alg::ecdh_es, "ECDH-ES", JoseKey::Kind::ec_p256, 0},
    {Alg::ecdh_es_a128kw, "ECDH-ES+A128KW", JoseKey::Kind::ec_p256, 16},
    {Alg::ecdh_es_a256kw, "ECDH-ES+A256KW", JoseKey::Kind::ec_p256, 32},
    {Alg::a128kw, "A128KW", JoseKey::Kind::oct, 16},
    {Alg::a256kw, "A256KW", JoseKey::Kind::oct, 32},
    {Alg::dir, "dir", JoseKey::Kind::oct, 0},
}};

const AlgInfo* find_alg(std::string_view name) {
  for (const auto& a : algs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// CEK size for a content encryption; 0 when unsupported.
std::size_t cek_bytes(std::string_view enc) {
  if (enc == "A128GCM") return 16;
  if (enc == "A256GCM") return 32;
  return 0;
}

Error failed() { return make_error(ErrorCode::authentication_failed, "JWE does not decrypt with this key"); }

std::string_view rsa_hash(Alg alg) { return alg == Alg::rsa_oaep_256 ? "SHA-256" : "SHA-1"; }

Result<Secret> aes_key_wrap(const Secret& cek, std::span<const std::uint8_t> kek) {
  try {
    return Botan::rfc3394_keywrap(cek, Botan::SymmetricKey(kek.data(), kek.size()));
  } catch (const Botan::Exception&) {
    return make_error(ErrorCode::internal, "AES key wrap failed");
  }
}

Result<Secret> aes_key_unwrap(std::span<const std::uint8_t> wrapped, std::span<const std::uint8_t> kek) {
  if (wrapped.size() < 24 || wrapped.size() % 8 != 0) return failed();
  try {
    return Botan::rfc3394_keyunwrap(Secret(wrapped.begin(), wrapped.end()), Botan::SymmetricKey(kek.data(), kek.size()));
  } catch (const Botan::Exception&) {
    return failed();
  }
}

// ECDH-ES: the key agreement output through the Concat KDF. For direct agreement the
// algorithm id is "enc"; for key wrapping it is "alg".
Secret derive(const Secret& z, const AlgInfo& alg, std::string_view enc, const Bytes& apu, const Bytes& apv) {
  const bool direct = alg.alg == Alg::ecdh_es;
  return internal::concat_kdf_sha256(z, direct ? enc : alg.name, apu, apv, direct ? cek_bytes(enc) : alg.kek_bytes);
}

std::optional<std::string> string_member(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

// The compact serialization's last three parts, sealed under `cek` with `iv`; the
// protected header's base64 is the associated data.
Result<std::string> seal_compact(std::string_view header_b64, std::string_view encrypted_key_b64, const Secret& cek,
                                 std::span<const std::uint8_t> iv, std::span<const std::uint8_t> plaintext) {
  auto sealed = internal::aes_gcm_seal(
      cek, iv, std::span(reinterpret_cast<const std::uint8_t*>(header_b64.data()), header_b64.size()), plaintext);
  if (!sealed) return sealed.error();
  std::span<const std::uint8_t> all(sealed.value());
  const std::size_t ct_size = all.size() - internal::gcm_tag_size;
  std::string out;
  out.reserve(header_b64.size() + encrypted_key_b64.size() + 4 + (all.size() + iv.size()) * 4 / 3 + 8);
  out.append(header_b64).append(1, '.').append(encrypted_key_b64).append(1, '.');
  out += base64url_encode(iv);
  out += '.';
  out += base64url_encode(all.first(ct_size));
  out += '.';
  out += base64url_encode(all.subspan(ct_size));
  return out;
}

// jwe_encrypt, also handing back the content key it used (the reusing encryptor keeps it).
Result<std::string> encrypt_keeping(std::span<const std::uint8_t> plaintext, const JoseKey& recipient,
                                    const JweEncryptOptions& options, Secret* out_cek) {
  std::string alg_name = options.alg;
  if (alg_name.empty()) alg_name = default_jwe_alg(recipient);
  const AlgInfo* alg = find_alg(alg_name);
  if (!alg) return make_error(ErrorCode::unsupported, "unsupported JWE alg");
  if (alg->kind != recipient.kind()) return make_error(ErrorCode::invalid_argument, "JWE alg does not fit the key");
  const std::size_t cek_size = cek_bytes(options.enc);
  if (cek_size == 0) return make_error(ErrorCode::unsupported, "unsupported JWE enc");
  if (plaintext.size() > jwe_max_compact / 2) return make_error(ErrorCode::invalid_argument, "JWE plaintext too large");

  json::object header;
  header["alg"] = alg->name;
  header["enc"] = options.enc;
  if (options.kid) header["kid"] = *options.kid;
  else if (recipient.kid()) header["kid"] = *recipient.kid();
  else if (recipient.kind() != JoseKey::Kind::oct) header["kid"] = recipient.spki_sha256_hex();
  if (options.cty) header["cty"] = *options.cty;

  Secret cek(cek_size);
  Bytes encrypted_key;
  // Content key and IV in one draw from this thread's generator (crypto/random.h).
  std::array<std::uint8_t, 32 + 12> fresh;
  message_random_bytes(fresh);
  const auto random_cek = [&] { std::copy_n(fresh.begin(), cek_size, cek.begin()); };
  switch (alg->alg) {
    case Alg::rsa_oaep_256:
    case Alg::rsa_oaep: {
      random_cek();
      auto wrapped =
          internal::rsa_oaep_encrypt(*recipient.public_key(), recipient.spki_sha256_hex(), rsa_hash(alg->alg), cek);
      if (!wrapped) return wrapped.error();
      encrypted_key = std::move(wrapped).value();
      break;
    }
    case Alg::ecdh_es:
    case Alg::ecdh_es_a128kw:
    case Alg::ecdh_es_a256kw: {
      auto peer = internal::p256_point_of(*recipient.public_key());
      if (!peer) return peer.error();
      auto ephemeral = internal::p256_generate();
      auto z = internal::ecdh_p256(*ephemeral, *peer.value());
      if (!z) return z.error();
      Bytes x, y;
      internal::p256_coordinates(internal::public_point_of(*ephemeral), x, y);
      header["epk"] = json::object{{"kty", "EC"}, {"crv", "P-256"}, {"x", base64url_encode(x)}, {"y", base64url_encode(y)}};
      Secret derived = derive(z.value(), *alg, options.enc, {}, {});
      if (alg->alg == Alg::ecdh_es) {
        cek = std::move(derived);
      } else {
        random_cek();
        auto wrapped = aes_key_wrap(cek, derived);
        if (!wrapped) return wrapped.error();
        encrypted_key.assign(wrapped.value().begin(), wrapped.value().end());
      }
      break;
    }
    case Alg::a128kw:
    case Alg::a256kw: {
      const auto& kek = reveal_secret(recipient.secret());
      if (kek.size() != alg->kek_bytes) return make_error(ErrorCode::invalid_argument, "key size does not fit the JWE alg");
      random_cek();
      auto wrapped = aes_key_wrap(cek, kek);
      if (!wrapped) return wrapped.error();
      encrypted_key.assign(wrapped.value().begin(), wrapped.value().end());
      break;
    }
    case Alg::dir: {
      const auto& key = reveal_secret(recipient.secret());
      if (key.size() != cek_size) return make_error(ErrorCode::invalid_argument, "key size does not fit the JWE enc");
      cek = key;
      break;
    }
  }

  const std::string header_json = json::serialize(header);
  const std::string header_b64 =
      base64url_encode(std::span(reinterpret_cast<const std::uint8_t*>(header_json.data()), header_json.size()));
  std::array<std::uint8_t, 12> iv;
  std::copy_n(fresh.begin() + 32, iv.size(), iv.begin());
  Botan::secure_scrub_memory(fresh.data(), fresh.size());
  if (out_cek) *out_cek = cek;
  return seal_compact(header_b64, base64url_encode(encrypted_key), cek, iv, plaintext);
}

}  // namespace

Result<std::string> jwe_encrypt(std::span<const std::uint8_t> plaintext, const JoseKey& recipient,
                                const JweEncryptOptions& options) {
  return encrypt_keeping(plaintext, recipient, options, nullptr);
}

Result<std::string> jwe_encrypt(std::string_view plaintext, const JoseKey& recipient, const JweEncryptOptions& options) {
  return jwe_encrypt(std::span(reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()), recipient,
                     options);
}

void JweReusingEncryptor::set_reuse(JweKeyReuse reuse) {
  if (reuse.max_messages == reuse_.max_messages && reuse.max_age == reuse_.max_age) return;
  reuse_ = reuse;
  uses_ = 0;
}

Result<std::string> JweReusingEncryptor::encrypt(std::string_view plaintext, const JoseKey& recipient,
                                                 const JweEncryptOptions& options) {
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size());
  const std::string_view alg = options.alg.empty() ? default_jwe_alg(recipient) : std::string_view(options.alg);
  if (!reuse_.enabled() || (alg != "RSA-OAEP-256" && alg != "RSA-OAEP")) return jwe_encrypt(bytes, recipient, options);
  const auto now = std::chrono::steady_clock::now();
  const bool same_window = uses_ > 0 && uses_ < reuse_.max_messages && now - made_ < reuse_.max_age &&
                           recipient.spki_sha256_hex() == spki_ && alg == alg_ && options.enc == options_.enc &&
                           options.kid == options_.kid && options.cty == options_.cty;
  if (same_window) {
    std::array<std::uint8_t, 12> iv;
    message_random_bytes(iv);
    auto compact = seal_compact(header_b64_, encrypted_key_b64_, cek_, iv, bytes);
    if (compact) ++uses_;
    return compact;
  }
  // A new content key (and one RSA operation) for the next window.
  Secret cek;
  auto compact = encrypt_keeping(bytes, recipient, options, &cek);
  if (!compact) return compact;
  const std::string& text = compact.value();
  const std::size_t first = text.find('.');
  const std::size_t second = text.find('.', first + 1);
  header_b64_ = text.substr(0, first);
  encrypted_key_b64_ = text.substr(first + 1, second - first - 1);
  cek_ = std::move(cek);  // the old key's locked buffer is wiped as it goes
  spki_ = recipient.spki_sha256_hex();
  alg_ = alg;
  options_ = options;
  made_ = now;
  uses_ = 1;
  return compact;
}

std::string_view default_jwe_alg(const JoseKey& key) {
  return key.kind() == JoseKey::Kind::rsa       ? "RSA-OAEP-256"
         : key.kind() == JoseKey::Kind::ec_p256 ? "ECDH-ES"
                                                : "dir";
}

Result<JweDecrypted> jwe_decrypt(std::string_view compact, const JoseKey& key, const JweDecryptOptions& options) {
  if (compact.size() > jwe_max_compact) return make_error(ErrorCode::malformed, "JWE is too large");
  std::array<std::string_view, 5> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    const std::size_t dot = compact.find('.', start);
    if ((i < 4) != (dot != std::string_view::npos)) return make_error(ErrorCode::malformed, "JWE compact form has five parts");
    parts[i] = compact.substr(start, i < 4 ? dot - start : std::string_view::npos);
    start = dot + 1;
  }
  auto header_bytes = base64url_decode(parts[0]);
  auto encrypted_key = base64url_decode(parts[1]);
  auto iv = base64url_decode(parts[2]);
  auto ciphertext = base64url_decode(parts[3]);
  auto tag = base64url_decode(parts[4]);
  if (!header_bytes || !encrypted_key || !iv || !ciphertext || !tag) {
    return make_error(ErrorCode::malformed, "JWE part is not base64url");
  }

  boost::system::error_code ec;
  json::value header_value =
      json::parse(json::string_view(reinterpret_cast<const char*>(header_bytes->data()), header_bytes->size()), ec);
  if (ec || !header_value.is_object()) return make_error(ErrorCode::malformed, "JWE header is not a JSON object");
  const json::object& header = header_value.get_object();
  if (header.contains("crit")) return make_error(ErrorCode::unsupported, "JWE crit extensions are not supported");
  if (header.contains("zip")) return make_error(ErrorCode::unsupported, "compressed JWE is not accepted");
  auto alg_name = string_member(header, "alg");
  auto enc = string_member(header, "enc");
  if (!alg_name || !enc) return make_error(ErrorCode::malformed, "JWE header needs alg and enc");
  if (!options.alg.empty() && *alg_name != options.alg)
    return make_error(ErrorCode::unsupported, "JWE alg is not the one configured");
  if (!options.enc.empty() && *enc != options.enc)
    return make_error(ErrorCode::unsupported, "JWE enc is not the one configured");
  const AlgInfo* alg = find_alg(*alg_name);
  if (!alg) return make_error(ErrorCode::unsupported, "unsupported JWE alg");
  const std::size_t cek_size = cek_bytes(*enc);
  if (cek_size == 0) return make_error(ErrorCode::unsupported, "unsupported JWE enc");
  // Algorithm confusion: the key decides which algorithms may be used, not the header.
  if (alg->kind != key.kind() || !key.is_private()) return make_error(ErrorCode::wrong_key_use, "JWE alg does not fit the key");
  if (iv->size() != 12) return make_error(ErrorCode::malformed, "JWE IV must be 96 bits");
  if (tag->size() != internal::gcm_tag_size) return make_error(ErrorCode::malformed, "JWE tag must be 128 bits");

  Secret cek;
  switch (alg->alg) {
    case Alg::rsa_oaep_256:
    case Alg::rsa_oaep: {
      auto unwrapped = internal::rsa_oaep_decrypt(*key.private_key(), rsa_hash(alg->alg), *encrypted_key);
      if (!unwrapped) return failed();
      cek = std::move(unwrapped).value();
      break;
    }
    case Alg::ecdh_es:
    case Alg::ecdh_es_a128kw:
    case Alg::ecdh_es_a256kw: {
      auto epk_it = header.find("epk");
      if (epk_it == header.end() || !epk_it->value().is_object()) return make_error(ErrorCode::malformed, "JWE epk is missing");
      const json::object& epk = epk_it->value().get_object();
      if (string_member(epk, "kty") != "EC" || string_member(epk, "crv") != "P-256") {
        return make_error(ErrorCode::unsupported, "JWE epk must be an EC P-256 key");
      }
      auto x = base64url_decode(string_member(epk, "x").value_or("!"));
      auto y = base64url_decode(string_member(epk, "y").value_or("!"));
      if (!x || !y) return make_error(ErrorCode::malformed, "JWE epk coordinates are not base64url");
      auto point = internal::p256_point(*x, *y);
      if (!point) return point.error();
      auto apu = base64url_decode(string_member(header, "apu").value_or(""));
      auto apv = base64url_decode(string_member(header, "apv").value_or(""));
      if (!apu || !apv) return make_error(ErrorCode::malformed, "JWE apu/apv are not base64url");
      auto z = internal::ecdh_p256(*key.private_key(), *point.value());
      if (!z) return failed();
      Secret derived = derive(z.value(), *alg, *enc, *apu, *apv);
      if (alg->alg == Alg::ecdh_es) {
        if (!encrypted_key->empty()) return make_error(ErrorCode::malformed, "ECDH-ES carries no encrypted key");
        cek = std::move(derived);
      } else {
        auto unwrapped = aes_key_unwrap(*encrypted_key, derived);
        if (!unwrapped) return failed();
        cek = std::move(unwrapped).value();
      }
      break;
    }
    case Alg::a128kw:
    case Alg::a256kw: {
      const auto& kek = reveal_secret(key.secret());
      if (kek.size() != alg->kek_bytes) return make_error(ErrorCode::wrong_key_use, "key size does not fit the JWE alg");
      auto unwrapped = aes_key_unwrap(*encrypted_key, kek);
      if (!unwrapped) return failed();
      cek = std::move(unwrapped).value();
      break;
    }
    case Alg::dir:
      if (!encrypted_key->empty()) return make_error(ErrorCode::malformed, "dir carries no encrypted key");
      cek = reveal_secret(key.secret());
      break;
  }
  if (cek.size() != cek_size) return failed();

  Bytes sealed = std::move(*ciphertext);
  sealed.insert(sealed.end(), tag->begin(), tag->end());
  auto plaintext = internal::aes_gcm_open(cek, *iv, std::span(reinterpret_cast<const std::uint8_t*>(parts[0].data()), parts[0].size()),
                                          sealed);
  if (!plaintext) return failed();
  JweDecrypted out;
  out.plaintext = std::move(plaintext).value();
  out.alg = *alg_name;
  out.enc = *enc;
  out.kid = string_member(header, "kid");
  out.cty = string_member(header, "cty");
  return out;
}

}  // namespace paygate::crypto
