// Writes seed inputs for the crypto fuzz targets (valid envelopes, JWEs and keys made
// with the fixed fuzz keys) into DIR/<target>/. Run once; the seeds are committed.
//   make_crypto_seeds DIR
#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/aead_envelope.h"
#include "crypto/jwe.h"
#include "fuzz/fuzz_keys.h"

namespace {

void write(const std::filesystem::path& dir, const std::string& name, const std::string& content) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << content;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace paygate;
  if (argc != 2) return 2;
  const std::filesystem::path out = argv[1];
  crypto::EnvelopeCipher cipher(fuzz::fixed_keyring());
  write(out / "envelope_fuzz", "cvv", cipher.seal(std::string_view("737"), "$.card.cvv", "acme").value());
  write(out / "envelope_fuzz", "empty", cipher.seal(std::string_view(""), "$.card.cvv", "acme").value());
  write(out / "envelope_fuzz", "other-field", cipher.seal(std::string_view("x"), "$.card.number", "acme").value());

  const crypto::JoseKey ec = fuzz::fixed_ec_key();
  const crypto::JoseKey oct = crypto::JoseKey::from_jwk(fuzz::fixed_oct_jwk).value();
  for (const char* alg : {"ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"}) {
    crypto::JweEncryptOptions o;
    o.alg = alg;
    o.enc = "A128GCM";
    write(out / "jwe_fuzz", alg, crypto::jwe_encrypt(std::string_view(R"({"cvv":"737"})"), ec, o).value());
  }
  for (const char* alg : {"A128KW", "dir"}) {
    crypto::JweEncryptOptions o;
    o.alg = alg;
    o.enc = "A128GCM";
    write(out / "jwe_fuzz", alg, crypto::jwe_encrypt(std::string_view("payload"), oct, o).value());
  }
  write(out / "jwk_fuzz", "ec-private.pem", ec.private_pem());
  write(out / "jwk_fuzz", "ec-public.pem", ec.public_pem());
  write(out / "jwk_fuzz", "oct.jwk", fuzz::fixed_oct_jwk);
  write(out / "jwk_fuzz", "rsa-public.jwk",
        R"({"kty":"RSA","n":"oahUIoWw0K0usKNuOR6H4wkf4oBUXHTxRvgb48E-BVvxkeDNjbC4he8rUWcJoZmds2h7M70imEVhRU5djINXtqllXI4DFqcI1DgjT9LewND8MW2Krf3Spsk_ZkoFnilakGygTwpZ3uesH-PFABNIUYpOiN15dsQRkgr0vEhxN92i2asbOenSZeyaxziK72UwxrrKoExv6kc5twXTq4h-QChLOln0_mtUZwfsRaMStPs6mS6XrgxnxbWhojf663tuEQueGC-FCMfra36C9knDFGzKsNa7LZK2djYgyD3JR_MB_4NUJW_TqOQtwHYbxevoJArm-L5StowjzGy-_bq6Gw","e":"AQAB"})");
  write(out / "jwk_fuzz", "ec-public.jwk",
        R"({"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"})");
  return 0;
}
