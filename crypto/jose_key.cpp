#include "crypto/jose_key.h"

#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <botan/data_src.h>
#include <botan/ec_group.h>
#include <botan/ecdh.h>
#include <botan/exceptn.h>
#include <botan/hash.h>
#include <botan/pem.h>
#include <botan/pkcs8.h>
#include <botan/rsa.h>
#include <botan/x509_key.h>
#include <botan/x509cert.h>

#include <fstream>
#include <sstream>

#include "crypto/encoding.h"
#include "crypto/file_mode.h"
#include "crypto/internal/ecdh.h"
#include "crypto/random.h"

namespace paygate::crypto {
namespace {

namespace json = boost::json;

constexpr std::size_t max_key_text = 64 * 1024;
constexpr std::size_t min_rsa_bits = 2048;

Error malformed(std::string reason) { return make_error(ErrorCode::malformed, std::move(reason)); }

// A base64url member of a JWK, decoded; nullopt (reported by the caller) when absent or bad.
std::optional<std::vector<std::uint8_t>> b64_member(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return base64url_decode(it->value().get_string());
}

std::optional<Botan::secure_vector<std::uint8_t>> b64_secret_member(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return base64url_decode_secret(it->value().get_string());
}

Botan::BigInt to_bigint(std::span<const std::uint8_t> bytes) { return Botan::BigInt(bytes.data(), bytes.size()); }

Status check_rsa_size(const Botan::Public_Key& key) {
  if (key.key_length() < min_rsa_bits) return make_error(ErrorCode::unsupported, "RSA keys must be at least 2048 bits");
  return {};
}

}  // namespace

Result<JoseKey> JoseKey::from_jwk(std::string_view text) {
  if (text.size() > max_key_text) return malformed("JWK is too large");
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !value.is_object()) return malformed("JWK is not a JSON object");
  const json::object& o = value.get_object();
  auto kty_it = o.find("kty");
  if (kty_it == o.end() || !kty_it->value().is_string()) return malformed("JWK has no kty");
  const std::string_view kty = kty_it->value().get_string();

  JoseKey key;
  if (auto kid = o.find("kid"); kid != o.end() && kid->value().is_string()) key.kid_ = std::string(kid->value().get_string());
  try {
    if (kty == "RSA") {
      auto n = b64_member(o, "n");
      auto e = b64_member(o, "e");
      if (!n || !e || n->empty() || e->empty()) return malformed("RSA JWK needs n and e");
      key.kind_ = Kind::rsa;
      if (o.contains("d")) {
        auto d = b64_secret_member(o, "d");
        auto p = b64_secret_member(o, "p");
        auto q = b64_secret_member(o, "q");
        if (!d || !p || !q) return malformed("private RSA JWK needs d, p and q");
        auto priv = std::make_shared<Botan::RSA_PrivateKey>(Botan::BigInt(p->data(), p->size()),
                                                            Botan::BigInt(q->data(), q->size()), to_bigint(*e),
                                                            Botan::BigInt(d->data(), d->size()), to_bigint(*n));
        if (!priv->check_key(system_rng(), false)) return malformed("RSA JWK members do not form a valid key");
        key.private_ = priv;
        key.public_ = priv;
      } else {
        key.public_ = std::make_shared<Botan::RSA_PublicKey>(to_bigint(*n), to_bigint(*e));
      }
      if (auto s = check_rsa_size(*key.public_); !s) return s.error();
      return with_spki_id(std::move(key));
    }
    if (kty == "EC") {
      auto crv = o.find("crv");
      if (crv == o.end() || !crv->value().is_string() || crv->value().get_string() != "P-256") {
        return make_error(ErrorCode::unsupported, "only EC keys on P-256 are supported");
      }
      auto x = b64_member(o, "x");
      auto y = b64_member(o, "y");
      if (!x || !y) return malformed("EC JWK needs x and y");
      auto point = internal::p256_point(*x, *y);
      if (!point) return point.error();
      key.kind_ = Kind::ec_p256;
      const Botan::EC_Group group("secp256r1");
      if (o.contains("d")) {
        auto d = b64_secret_member(o, "d");
        if (!d || d->size() != 32) return malformed("EC JWK d must be 32 bytes");
        auto priv = std::make_shared<Botan::ECDH_PrivateKey>(system_rng(), group, Botan::BigInt(d->data(), d->size()));
        if (priv->public_point() != *point.value()) return malformed("EC JWK d does not match x and y");
        key.private_ = priv;
        key.public_ = priv;
      } else {
        key.public_ = std::make_shared<Botan::ECDH_PublicKey>(group, *point.value());
      }
      return with_spki_id(std::move(key));
    }
    if (kty == "oct") {
      auto k = b64_secret_member(o, "k");
      if (!k || k->empty()) return malformed("oct JWK needs k");
      key.kind_ = Kind::oct;
      key.secret_ = SecretBytes(std::move(*k));
      return with_spki_id(std::move(key));
    }
  } catch (const Botan::Exception&) {
    return malformed("JWK members do not form a valid key");
  }
  return make_error(ErrorCode::unsupported, "unsupported JWK kty");
}

Result<JoseKey> JoseKey::from_pem(std::string_view pem) {
  if (pem.size() > max_key_text) return malformed("PEM is too large");
  JoseKey key;
  try {
    const std::string text(pem);
    Botan::DataSource_Memory source(text);
    std::string label;
    Botan::secure_vector<std::uint8_t> der = Botan::PEM_Code::decode(source, label);
    if (label == "PRIVATE KEY") {
      Botan::DataSource_Memory der_source(der);
      std::shared_ptr<Botan::Private_Key> priv(Botan::PKCS8::load_key(der_source).release());
      key.private_ = priv;
      key.public_ = priv;
    } else if (label == "PUBLIC KEY") {
      key.public_ = std::shared_ptr<Botan::Public_Key>(Botan::X509::load_key(std::vector<std::uint8_t>(der.begin(), der.end())));
    } else if (label == "CERTIFICATE") {
      Botan::X509_Certificate cert(std::vector<std::uint8_t>(der.begin(), der.end()));
      key.public_ = std::shared_ptr<Botan::Public_Key>(cert.subject_public_key());
    } else {
      return make_error(ErrorCode::unsupported, "PEM must be PUBLIC KEY, PRIVATE KEY (PKCS#8) or CERTIFICATE");
    }
  } catch (const Botan::Exception&) {
    return malformed("PEM does not hold a readable key");
  }
  const std::string algo = key.public_->algo_name();
  if (algo == "RSA") {
    key.kind_ = Kind::rsa;
    if (auto s = check_rsa_size(*key.public_); !s) return s.error();
  } else if (algo == "ECDH" || algo == "ECDSA") {
    auto point = internal::p256_point_of(*key.public_);
    if (!point) return point.error();
    key.kind_ = Kind::ec_p256;
    if (key.private_ && algo == "ECDSA") {
      // A P-256 key stored as "ECDSA" (OpenSSL's generic EC) is the same scalar for ECDH.
      const auto& ecdsa = dynamic_cast<const Botan::EC_PrivateKey&>(*key.private_);
      auto priv = std::make_shared<Botan::ECDH_PrivateKey>(system_rng(), ecdsa.domain(), ecdsa.private_value());
      key.private_ = priv;
      key.public_ = priv;
    } else if (!key.private_ && algo == "ECDSA") {
      key.public_ = std::make_shared<Botan::ECDH_PublicKey>(Botan::EC_Group("secp256r1"), *point.value());
    }
  } else {
    return make_error(ErrorCode::unsupported, "only RSA and EC P-256 keys are supported");
  }
  return with_spki_id(std::move(key));
}

Result<JoseKey> JoseKey::parse(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') return from_jwk(text);
  return from_pem(text);
}

Result<JoseKey> JoseKey::load_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return make_error(ErrorCode::key_file, "key file not found: " + path);
  }
  if (st.st_size > static_cast<off_t>(max_key_text)) return make_error(ErrorCode::key_file, "key file is too large: " + path);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  auto key = parse(content);
  if (!key) return make_error(key.error().code, key.error().reason + " (" + path + ")");
  if (key.value().is_private()) {
    if (auto problem = private_file_problem(path, "private key file")) return make_error(ErrorCode::key_file, *problem);
  } else if (auto problem = trusted_file_problem(path, "public key file")) {
    return make_error(ErrorCode::key_file, *problem);
  }
  return key;
}

JoseKey JoseKey::generate_rsa(std::size_t bits) {
  JoseKey key;
  key.kind_ = Kind::rsa;
  auto priv = std::make_shared<Botan::RSA_PrivateKey>(system_rng(), std::max(bits, min_rsa_bits));
  key.private_ = priv;
  key.public_ = priv;
  return with_spki_id(std::move(key));
}

JoseKey JoseKey::generate_p256() {
  JoseKey key;
  key.kind_ = Kind::ec_p256;
  std::shared_ptr<Botan::Private_Key> priv(internal::p256_generate().release());
  key.private_ = priv;
  key.public_ = priv;
  return with_spki_id(std::move(key));
}

JoseKey JoseKey::with_spki_id(JoseKey key) {
  if (key.public_) {
    const std::vector<std::uint8_t> spki = key.public_->subject_public_key();
    auto h = Botan::HashFunction::create_or_throw("SHA-256");
    key.spki_sha256_hex_ = hex_encode(h->process(spki));
  }
  return key;
}

std::string JoseKey::public_pem() const { return public_ ? Botan::X509::PEM_encode(*public_) : ""; }

std::string JoseKey::private_pem() const { return private_ ? Botan::PKCS8::PEM_encode(*private_) : ""; }

}  // namespace paygate::crypto
