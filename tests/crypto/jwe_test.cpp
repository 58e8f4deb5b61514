// JWE against the RFC 7516 / RFC 7520 examples, the JOSE primitives against Wycheproof
// (RSA-OAEP-2048-SHA256, ECDH secp256r1), and round trips for every supported algorithm.
#include "crypto/jwe.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <botan/ec_group.h>
#include <botan/ecdh.h>
#include <botan/pkcs8.h>
#include <botan/data_src.h>
#include <botan/x509_key.h>

#include "crypto/encoding.h"
#include "crypto/internal/ecdh.h"
#include "crypto/internal/rsa_oaep.h"
#include "crypto/random.h"
#include "tests/support/vectors.h"

namespace paygate::crypto {
namespace {

namespace json = boost::json;

std::string text(const Botan::secure_vector<std::uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }
std::vector<std::uint8_t> hex(const json::value& v) { return *hex_decode(v.as_string()); }

// The RFC examples: those whose alg and enc paygate accepts must decrypt to their
// plaintext; the others must be refused as unsupported (never mis-decrypted).
TEST(JweRfcVectors, EveryCompactExampleDecryptsOrIsRefusedAsUnsupported) {
  int decrypted = 0, refused = 0;
  for (const char* file_name : {"jwe_rfc7516.json", "jwe_rfc7520.json"}) {
    const auto file = test::load_vectors(file_name);
    for (const auto& item : file.as_array()) {
      const auto& v = item.as_object();
      if (!v.at("compact").is_string()) continue;  // JSON serialization only
      const std::string name(v.at("name").as_string());
      if (!v.at("jwk").is_object()) {  // PBES2 examples use a password, not a key
        ++refused;
        continue;
      }
      auto key = JoseKey::from_jwk(json::serialize(v.at("jwk")));
      if (!key) {  // a key type paygate does not accept (7520 5.4 uses P-384)
        EXPECT_EQ(key.error().code, ErrorCode::unsupported) << name << ": " << key.error().to_string();
        ++refused;
        continue;
      }
      auto result = jwe_decrypt(v.at("compact").as_string(), key.value());
      if (result) {
        EXPECT_EQ(text(result.value().plaintext), v.at("plaintext").as_string()) << name;
        ++decrypted;
      } else {
        EXPECT_EQ(result.error().code, ErrorCode::unsupported) << name << ": " << result.error().to_string();
        ++refused;
      }
    }
  }
  // Decrypted: 7516 A.1 (RSA-OAEP, A256GCM), 7520 5.6 (dir, A128GCM), 5.8 (A128KW,
  // A128GCM). Refused: RSA1_5 (7516 A.2, 7520 5.1), CBC-HMAC (7516 A.3, 7520 5.5, 5.7),
  // PBES2 (5.3), a P-384 key (5.4), zip (5.9).
  EXPECT_EQ(decrypted, 3);
  EXPECT_EQ(refused, 8);
}

TEST(WycheproofRsaOaep, Every2048Sha256Case) {
  const auto file = test::load_vectors("wycheproof/rsa_oaep_2048_sha256_mgf1sha256_test.json");
  int valid = 0, invalid = 0, labelled = 0;
  for (const auto& group : file.at("testGroups").as_array()) {
    auto key = JoseKey::from_pem(group.at("privateKeyPem").as_string());
    ASSERT_TRUE(key) << key.error().to_string();
    ASSERT_TRUE(key.value().is_private());
    for (const auto& item : group.at("tests").as_array()) {
      const auto& t = item.as_object();
      const std::string id = "tcId " + std::to_string(t.at("tcId").as_int64());
      auto out = internal::rsa_oaep_decrypt(*key.value().private_key(), "SHA-256", hex(t.at("ct")));
      if (t.at("result") == "valid" && !hex(t.at("label")).empty()) {
        // Made with a label: JWE uses none, so it must not decrypt as if unlabelled (the
        // label is bound), and fails like any other bad ciphertext.
        ++labelled;
        ASSERT_FALSE(out) << id;
        EXPECT_EQ(out.error().code, ErrorCode::authentication_failed) << id;
      } else if (t.at("result") == "valid") {
        ++valid;
        ASSERT_TRUE(out) << id;
        EXPECT_EQ(std::vector<std::uint8_t>(out.value().begin(), out.value().end()), hex(t.at("msg"))) << id;
      } else {
        ++invalid;
        ASSERT_FALSE(out) << id << " " << t.at("comment").as_string();
        EXPECT_EQ(out.error().code, ErrorCode::authentication_failed) << id;
      }
    }
  }
  EXPECT_EQ(valid + labelled, 18);
  EXPECT_GT(labelled, 0);
  EXPECT_EQ(invalid, 19);
}

TEST(WycheproofEcdh, EverySecp256r1Case) {
  const auto file = test::load_vectors("wycheproof/ecdh_secp256r1_test.json");
  const Botan::EC_Group group("secp256r1");
  int valid = 0, invalid = 0, acceptable_accepted = 0, acceptable_refused = 0;
  for (const auto& g : file.at("testGroups").as_array()) {
    for (const auto& item : g.at("tests").as_array()) {
      const auto& t = item.as_object();
      const std::string id = "tcId " + std::to_string(t.at("tcId").as_int64());
      const auto priv_bytes = hex(t.at("private"));
      Botan::ECDH_PrivateKey priv(system_rng(), group, Botan::BigInt(priv_bytes.data(), priv_bytes.size()));
      // Decode the peer's SubjectPublicKeyInfo, then the strict P-256 checks.
      Result<Botan::secure_vector<std::uint8_t>> shared = make_error(ErrorCode::malformed, "not decoded");
      try {
        std::unique_ptr<Botan::Public_Key> pub(Botan::X509::load_key(hex(t.at("public"))));
        auto point = internal::p256_point_of(*pub);
        if (point) shared = internal::ecdh_p256(priv, *point.value());
        else shared = point.error();
      } catch (const std::exception&) {
        // Botan refused the encoding: counts as a refusal.
      }
      const std::string result(t.at("result").as_string());
      if (result == "valid") {
        ++valid;
        ASSERT_TRUE(shared) << id << " " << t.at("comment").as_string();
        EXPECT_EQ(std::vector<std::uint8_t>(shared.value().begin(), shared.value().end()), hex(t.at("shared"))) << id;
      } else if (result == "invalid") {
        ++invalid;
        EXPECT_FALSE(shared) << id << " " << t.at("comment").as_string() << " was accepted";
      } else {
        // Acceptable: either answer is allowed, but an accepted one must be right.
        if (shared) {
          ++acceptable_accepted;
          EXPECT_EQ(std::vector<std::uint8_t>(shared.value().begin(), shared.value().end()), hex(t.at("shared"))) << id;
        } else {
          ++acceptable_refused;
        }
      }
    }
  }
  EXPECT_EQ(valid, 330);
  EXPECT_EQ(invalid, 52);
  EXPECT_EQ(acceptable_accepted + acceptable_refused, 230);
  std::cout << "ECDH acceptable cases: " << acceptable_accepted << " accepted, " << acceptable_refused << " refused\n";
}

struct RoundTrip {
  std::string alg;
  std::string enc;
};

TEST(Jwe, RoundTripsEverySupportedAlgorithm) {
  const JoseKey rsa = JoseKey::generate_rsa(2048);
  const JoseKey ec = JoseKey::generate_p256();
  auto oct16 = JoseKey::from_jwk(R"({"kty":"oct","k":")" + base64url_encode(std::vector<std::uint8_t>(16, 3)) + "\"}").value();
  auto oct32 = JoseKey::from_jwk(R"({"kty":"oct","k":")" + base64url_encode(std::vector<std::uint8_t>(32, 4)) + "\"}").value();
  const std::string message = R"({"number":"4111111111111111","cvv":"123"})";
  struct Case {
    const JoseKey* key;
    std::string alg;
    std::string enc;
  };
  std::vector<Case> cases;
  for (const char* enc : {"A128GCM", "A256GCM"}) {
    cases.push_back({&rsa, "RSA-OAEP-256", enc});
    cases.push_back({&rsa, "RSA-OAEP", enc});
    cases.push_back({&ec, "ECDH-ES", enc});
    cases.push_back({&ec, "ECDH-ES+A128KW", enc});
    cases.push_back({&ec, "ECDH-ES+A256KW", enc});
    cases.push_back({&oct16, "A128KW", enc});
    cases.push_back({&oct32, "A256KW", enc});
  }
  cases.push_back({&oct16, "dir", "A128GCM"});
  cases.push_back({&oct32, "dir", "A256GCM"});
  for (const auto& c : cases) {
    JweEncryptOptions options;
    options.alg = c.alg;
    options.enc = c.enc;
    options.cty = "application/json";
    auto compact = jwe_encrypt(message, *c.key, options);
    ASSERT_TRUE(compact) << c.alg << " " << c.enc << ": " << compact.error().to_string();
    EXPECT_EQ(compact.value().find("4111"), std::string::npos);
    auto out = jwe_decrypt(compact.value(), *c.key);
    ASSERT_TRUE(out) << c.alg << " " << c.enc << ": " << out.error().to_string();
    EXPECT_EQ(text(out.value().plaintext), message);
    EXPECT_EQ(out.value().alg, c.alg);
    EXPECT_EQ(out.value().enc, c.enc);
    EXPECT_EQ(out.value().cty, "application/json");
  }
}

// The decryptor takes the alg and enc it is told, not the ones the message names: a
// message under RSA-OAEP (SHA-1) or another enc is refused when RSA-OAEP-256/A256GCM is
// configured (the security review found any supported alg accepted).
TEST(Jwe, DecryptionIsPinnedToTheConfiguredAlgAndEnc) {
  const JoseKey rsa = JoseKey::generate_rsa(2048);
  JweEncryptOptions sha1;
  sha1.alg = "RSA-OAEP";
  const auto weak = jwe_encrypt(std::string_view("737"), rsa, sha1).value();
  const JweDecryptOptions pinned{std::string(default_jwe_alg(rsa)), "A256GCM"};
  EXPECT_EQ(pinned.alg, "RSA-OAEP-256");
  auto refused = jwe_decrypt(weak, rsa, pinned);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::unsupported);
  EXPECT_TRUE(jwe_decrypt(weak, rsa, JweDecryptOptions{"RSA-OAEP", "A256GCM"}));  // when configured
  JweEncryptOptions a128;
  a128.enc = "A128GCM";
  const auto other_enc = jwe_encrypt(std::string_view("737"), rsa, a128).value();
  EXPECT_FALSE(jwe_decrypt(other_enc, rsa, pinned));
  EXPECT_TRUE(jwe_decrypt(jwe_encrypt(std::string_view("737"), rsa, {}).value(), rsa, pinned));
}

TEST(Jwe, KidDefaultsToTheSpkiSha256AsMastercardSendsIt) {
  const JoseKey rsa = JoseKey::generate_rsa(2048);
  auto public_only = JoseKey::from_pem(rsa.public_pem()).value();
  EXPECT_FALSE(public_only.is_private());
  auto compact = jwe_encrypt(std::string_view("x"), public_only).value();
  auto out = jwe_decrypt(compact, rsa).value();
  EXPECT_EQ(out.alg, "RSA-OAEP-256");
  EXPECT_EQ(out.kid, rsa.spki_sha256_hex());
  EXPECT_EQ(rsa.spki_sha256_hex().size(), 64u);
  JweEncryptOptions named;
  named.kid = "processor-2026";
  EXPECT_EQ(jwe_decrypt(jwe_encrypt(std::string_view("x"), public_only, named).value(), rsa).value().kid, "processor-2026");
}

TEST(Jwe, RefusesTamperingWrongKeysAndAlgorithmConfusion) {
  const JoseKey rsa = JoseKey::generate_rsa(2048);
  const JoseKey other = JoseKey::generate_rsa(2048);
  const std::string compact = jwe_encrypt(std::string_view("secret"), rsa).value();
  EXPECT_EQ(jwe_decrypt(compact, other).error().code, ErrorCode::authentication_failed);
  EXPECT_EQ(jwe_decrypt(compact, JoseKey::from_pem(rsa.public_pem()).value()).error().code, ErrorCode::wrong_key_use);
  // Flip one character in each part: every change is caught.
  std::vector<std::size_t> dots;
  for (std::size_t i = 0; i < compact.size(); ++i) if (compact[i] == '.') dots.push_back(i);
  for (std::size_t pos : {std::size_t{5}, dots[0] + 5, dots[1] + 3, dots[2] + 2, dots[3] + 2}) {
    std::string bad = compact;
    bad[pos] = bad[pos] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(jwe_decrypt(bad, rsa)) << pos;
  }
  // A header that asks for "dir" with an RSA private key is refused, not tried.
  std::string header = R"({"alg":"dir","enc":"A128GCM"})";
  std::string forged = base64url_encode(std::span(reinterpret_cast<const std::uint8_t*>(header.data()), header.size())) +
                       compact.substr(dots[0]);
  EXPECT_EQ(jwe_decrypt(forged, rsa).error().code, ErrorCode::wrong_key_use);
  for (const std::string& h : {std::string(R"({"alg":"RSA1_5","enc":"A128GCM"})"), std::string(R"({"alg":"RSA-OAEP-256","enc":"A128GCM","zip":"DEF"})"),
                               std::string(R"({"alg":"RSA-OAEP-256","enc":"A128CBC-HS256"})"), std::string(R"({"alg":"RSA-OAEP-256","enc":"A128GCM","crit":["x"]})")}) {
    std::string f = base64url_encode(std::span(reinterpret_cast<const std::uint8_t*>(h.data()), h.size())) + compact.substr(dots[0]);
    EXPECT_EQ(jwe_decrypt(f, rsa).error().code, ErrorCode::unsupported) << h;
  }
}

TEST(Jwe, MalformedInputsAreTypedErrors) {
  const JoseKey ec = JoseKey::generate_p256();
  for (const std::string bad : {"", "a.b.c.d", "a.b.c.d.e.f", "!!.a.a.a.a", "e30.e30.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
                                 "bm90IGpzb24.AA.AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA"}) {
    auto r = jwe_decrypt(bad, ec);
    ASSERT_FALSE(r) << bad;
    EXPECT_TRUE(r.error().code == ErrorCode::malformed || r.error().code == ErrorCode::unsupported) << bad;
  }
  // An epk off the curve is refused before any key agreement (invalid-curve attack).
  std::string header = R"({"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":")" +
                       base64url_encode(std::vector<std::uint8_t>(32, 1)) + R"(","y":")" +
                       base64url_encode(std::vector<std::uint8_t>(32, 2)) + "\"}}";
  std::string forged = base64url_encode(std::span(reinterpret_cast<const std::uint8_t*>(header.data()), header.size())) +
                       "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_EQ(jwe_decrypt(forged, ec).error().code, ErrorCode::malformed);
}

TEST(JoseKey, ReadsJwkAndPemAndRefusesWeakOrForeignKeys) {
  const JoseKey rsa = JoseKey::generate_rsa(2048);
  auto from_pem = JoseKey::from_pem(rsa.private_pem());
  ASSERT_TRUE(from_pem);
  EXPECT_TRUE(from_pem.value().is_private());
  EXPECT_EQ(from_pem.value().spki_sha256_hex(), rsa.spki_sha256_hex());
  const JoseKey ec = JoseKey::generate_p256();
  auto ec_pub = JoseKey::parse(ec.public_pem());
  ASSERT_TRUE(ec_pub);
  EXPECT_EQ(ec_pub.value().kind(), JoseKey::Kind::ec_p256);
  EXPECT_EQ(JoseKey::from_jwk(R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA"})").error().code, ErrorCode::unsupported);
  EXPECT_EQ(JoseKey::from_jwk(R"({"kty":"OKP","crv":"X25519","x":"AA"})").error().code, ErrorCode::unsupported);
  EXPECT_EQ(JoseKey::from_jwk(R"({"kty":"RSA","n":"AQAB","e":"AQAB"})").error().code, ErrorCode::unsupported);
  EXPECT_EQ(JoseKey::from_jwk("not json").error().code, ErrorCode::malformed);
  EXPECT_EQ(JoseKey::from_jwk(R"({"kty":"RSA"})").error().code, ErrorCode::malformed);
  EXPECT_EQ(JoseKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").error().code,
            ErrorCode::malformed);
}

}  // namespace
}  // namespace paygate::crypto

namespace paygate::crypto {
namespace {

// Issue #21 keeps per-thread objects: an RSA-OAEP encryptor per key (keyed by the key's
// SPKI hash) and a GCM object per key size and direction. Alternating keys, algorithms
// and a failed decryption on one thread must never carry one call's key into the next.
TEST(JwePerThreadState, AlternatingKeysAndAFailedOpenNeverMixKeys) {
  const JoseKey a = JoseKey::generate_rsa(2048);
  const JoseKey b = JoseKey::generate_rsa(2048);
  for (int i = 0; i < 6; ++i) {
    const JoseKey& to = i % 2 ? b : a;
    const JoseKey& other = i % 2 ? a : b;
    JweEncryptOptions options;
    options.enc = i % 3 ? "A256GCM" : "A128GCM";
    options.alg = i % 4 == 3 ? "RSA-OAEP" : "RSA-OAEP-256";
    auto compact = jwe_encrypt("cvv 737", to, options);
    ASSERT_TRUE(compact) << compact.error().to_string();
    auto wrong = jwe_decrypt(compact.value(), other);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::authentication_failed);
    auto opened = jwe_decrypt(compact.value(), to);
    ASSERT_TRUE(opened) << i;
    EXPECT_EQ(std::string(opened.value().plaintext.begin(), opened.value().plaintext.end()), "cvv 737");
  }
}

TEST(JwePerThreadState, ContentKeysAndIvsNeverRepeatAcrossThreadsOrForks) {
  const JoseKey key = JoseKey::generate_rsa(2048);
  auto iv_of = [&] {
    const std::string compact = jwe_encrypt("x", key).value();
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t dot; (dot = compact.find('.', start)) != std::string::npos; start = dot + 1)
      parts.emplace_back(compact.data() + start, dot - start);
    return std::string(parts.at(2));
  };
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(seen.insert(iv_of()).second);
  std::vector<std::string> from_thread;
  std::thread t([&] {
    for (int i = 0; i < 50; ++i) from_thread.push_back(iv_of());
  });
  t.join();
  for (const auto& iv : from_thread) EXPECT_TRUE(seen.insert(iv).second);
  // A forked child must not repeat its parent's generator: the child writes its next
  // draw to a pipe, the parent draws its own next.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    std::array<std::uint8_t, 16> drawn{};
    message_random_bytes(drawn);
    _exit(::write(fds[1], drawn.data(), drawn.size()) == 16 ? 0 : 1);
  }
  std::array<std::uint8_t, 16> mine{}, theirs{};
  message_random_bytes(mine);
  ASSERT_EQ(::read(fds[0], theirs.data(), theirs.size()), 16);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_NE(mine, theirs);
}

}  // namespace
}  // namespace paygate::crypto

namespace paygate::crypto {
namespace {

std::vector<std::string> compact_parts(const std::string& compact) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = compact.find('.', start);
    parts.push_back(compact.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// Content-key reuse (opt-in): within its window JWEs share the wrapped key and header,
// never an IV; each decrypts on its own; the window ends by count, by age, and when the
// recipient or options change; off, every JWE has its own content key.
TEST(JweContentKeyReuse, SharesAKeyWithinItsWindowAndEveryJweStandsAlone) {
  const JoseKey key = JoseKey::generate_rsa(2048);
  const JoseKey other = JoseKey::generate_rsa(2048);
  JweReusingEncryptor reusing({3, std::chrono::milliseconds(60'000)});
  std::vector<std::vector<std::string>> seen;
  for (int i = 0; i < 7; ++i) {
    auto compact = reusing.encrypt("cvv " + std::to_string(i), key, {});
    ASSERT_TRUE(compact) << compact.error().to_string();
    auto opened = jwe_decrypt(compact.value(), key);
    ASSERT_TRUE(opened);
    EXPECT_EQ(std::string(opened.value().plaintext.begin(), opened.value().plaintext.end()), "cvv " + std::to_string(i));
    seen.push_back(compact_parts(compact.value()));
  }
  // Windows of 3: messages 0-2 share a wrapped key, 3-5 another, 6 a third.
  EXPECT_EQ(seen[0][1], seen[1][1]);
  EXPECT_EQ(seen[1][1], seen[2][1]);
  EXPECT_NE(seen[2][1], seen[3][1]);
  EXPECT_EQ(seen[3][1], seen[5][1]);
  EXPECT_NE(seen[5][1], seen[6][1]);
  std::set<std::string> ivs;
  for (const auto& p : seen) EXPECT_TRUE(ivs.insert(p[2]).second);  // never an IV twice
  // Another recipient: a new key at once (and it cannot open the first's).
  auto to_other = reusing.encrypt("x", other, {});
  ASSERT_TRUE(to_other);
  EXPECT_NE(compact_parts(to_other.value())[1], seen[6][1]);
  EXPECT_TRUE(jwe_decrypt(to_other.value(), other));
  EXPECT_FALSE(jwe_decrypt(to_other.value(), key));
  // Other options: a new key too.
  JweEncryptOptions a128;
  a128.enc = "A128GCM";
  auto first = reusing.encrypt("x", key, a128).value();
  auto second = reusing.encrypt("y", key, {}).value();
  EXPECT_NE(compact_parts(first)[1], compact_parts(second)[1]);
  // By age.
  JweReusingEncryptor short_lived({1000, std::chrono::milliseconds(50)});
  auto early = compact_parts(short_lived.encrypt("x", key, {}).value());
  EXPECT_EQ(compact_parts(short_lived.encrypt("x", key, {}).value())[1], early[1]);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_NE(compact_parts(short_lived.encrypt("x", key, {}).value())[1], early[1]);
  // Off (the default): every JWE wraps its own key.
  JweReusingEncryptor off({});
  EXPECT_NE(compact_parts(off.encrypt("x", key, {}).value())[1], compact_parts(off.encrypt("x", key, {}).value())[1]);
  // Only RSA reuses: ECDH-ES derives a key per message whatever the setting.
  const JoseKey ec = JoseKey::generate_p256();
  JweReusingEncryptor ec_reusing({100, std::chrono::milliseconds(60'000)});
  const auto e1 = compact_parts(ec_reusing.encrypt("x", ec, {}).value());
  const auto e2 = compact_parts(ec_reusing.encrypt("x", ec, {}).value());
  EXPECT_NE(e1[0], e2[0]);  // a fresh ephemeral key in each header
}

}  // namespace
}  // namespace paygate::crypto
