// paygate crypto ff1 | crypto jwe: the primitives on the command line, for operators and
// for interoperability tests with other implementations.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "crypto/encoding.h"
#include "crypto/ff1.h"
#include "crypto/jwe.h"
#include "cli/command.h"

namespace paygate::cli {
namespace {

std::string read_stdin() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  return text;
}

int fail(const char* command, const crypto::Error& error) {
  std::fprintf(stderr, "paygate %s: %s\n", command, error.to_string().c_str());
  return exit_failure;
}

int ff1(const Args& args) {
  if (args.positional.size() != 2 || (args.positional[0] != "encrypt" && args.positional[0] != "decrypt")) {
    std::fprintf(stderr, "paygate crypto ff1: expected encrypt|decrypt VALUE\n");
    return exit_usage;
  }
  auto key = crypto::hex_decode_secret(*args.value("key-hex"));
  auto tweak = crypto::hex_decode(args.value("tweak-hex").value_or(""));
  if (!key || !tweak) {
    std::fprintf(stderr, "paygate crypto ff1: --key-hex and --tweak-hex take hex\n");
    return exit_usage;
  }
  const unsigned long radix = std::stoul(args.value("radix").value_or("10"));
  auto cipher = crypto::Ff1::create(crypto::SecretBytes(std::move(*key)), static_cast<std::uint32_t>(radix));
  if (!cipher) return fail("crypto ff1", cipher.error());
  const bool encrypting = args.positional[0] == "encrypt";
  auto out = encrypting ? cipher.value().encrypt(std::string_view(args.positional[1]), *tweak)
                        : cipher.value().decrypt(std::string_view(args.positional[1]), *tweak);
  if (!out) return fail("crypto ff1", out.error());
  std::printf("%s\n", out.value().c_str());
  return exit_ok;
}

int jwe(const Args& args) {
  if (args.positional.size() != 1 || (args.positional[0] != "encrypt" && args.positional[0] != "decrypt")) {
    std::fprintf(stderr, "paygate crypto jwe: expected encrypt|decrypt\n");
    return exit_usage;
  }
  auto key = crypto::JoseKey::load_file(*args.value("key"));
  if (!key) return fail("crypto jwe", key.error());
  const std::string input = read_stdin();
  if (args.positional[0] == "encrypt") {
    crypto::JweEncryptOptions options;
    options.alg = args.value("alg").value_or("");
    options.enc = args.value("enc").value_or("A256GCM");
    if (auto kid = args.value("kid")) options.kid = *kid;
    if (auto cty = args.value("cty")) options.cty = *cty;
    auto compact = crypto::jwe_encrypt(input, key.value(), options);
    if (!compact) return fail("crypto jwe", compact.error());
    std::printf("%s\n", compact.value().c_str());
    return exit_ok;
  }
  std::string_view compact = input;
  while (!compact.empty() && std::isspace(static_cast<unsigned char>(compact.back()))) compact.remove_suffix(1);
  auto out = crypto::jwe_decrypt(compact, key.value());
  if (!out) return fail("crypto jwe", out.error());
  std::fwrite(out.value().plaintext.data(), 1, out.value().plaintext.size(), stdout);
  return exit_ok;
}

}  // namespace

Command crypto_ff1_command() {
  return {{"crypto ff1",
           "FF1 (NIST SP 800-38G) on one value in the alphabet 0-9a-z: encrypt|decrypt VALUE.",
           "encrypt|decrypt VALUE",
           {{"key-hex", "HEX", "AES-128/192/256 key", true},
            {"tweak-hex", "HEX", "tweak (default empty)", false},
            {"radix", "R", "2..36 (default 10)", false}}},
          ff1};
}

Command crypto_jwe_command() {
  return {{"crypto jwe",
           "JWE compact: encrypt (plaintext on stdin, compact on stdout) or decrypt (the reverse).",
           "encrypt|decrypt",
           {{"key", "FILE", "PEM or JWK: the public key to encrypt, the private key to decrypt", true},
            {"alg", "ALG", "RSA-OAEP-256 | RSA-OAEP | ECDH-ES | ECDH-ES+A128KW | ECDH-ES+A256KW | A128KW | A256KW | dir", false},
            {"enc", "ENC", "A256GCM (default) | A128GCM", false},
            {"kid", "KID", "key id header (default: the key's kid, else SHA-256 of its SPKI, hex)", false},
            {"cty", "CTY", "content type header, e.g. application/json", false}}},
          jwe};
}

}  // namespace paygate::cli
