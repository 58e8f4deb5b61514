// Interop with JWE peers nobody here wrote: the npm packages jose and
// mastercard-client-encryption, driven against the `paygate crypto jwe` command.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

class JweInterop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("jwe-interop");
    const std::string d = dir_.string();
    auto r = run_command("cd " + d + " && umask 077 && "
                         "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key && "
                         "openssl pkey -in rsa.key -pubout -out rsa.pub && "
                         "openssl req -new -x509 -key rsa.key -subj /CN=processor-jwe -days 30 -out rsa.crt && "
                         "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key && "
                         "openssl pkey -in ec.key -pubout -out ec.pub");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  static std::string file(const std::string& name) { return (dir_ / name).string(); }
  static std::string interop(const std::string& script) { return (source_dir() / "tests/interop" / script).string(); }

  // Runs `command` with `input` on its standard input.
  static CommandResult pipe(const std::string& input, const std::string& command) {
    const std::string in = file("stdin-" + std::to_string(counter_++));
    std::ofstream(in) << input;
    return run_command(command + " < " + in);
  }

  static std::string paygate() { return binary("paygate").string(); }

  static inline std::filesystem::path dir_;
  static inline int counter_ = 0;
};

const std::string card = R"({"number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cvv":"737"})";

TEST_F(JweInterop, JoseDecryptsWhatPaygateEncrypts) {
  struct Case {
    const char* key;
    const char* alg;
    const char* enc;
  };
  for (const Case& c : {Case{"rsa", "RSA-OAEP-256", "A256GCM"}, Case{"rsa", "RSA-OAEP-256", "A128GCM"},
                        Case{"rsa", "RSA-OAEP", "A256GCM"}, Case{"ec", "ECDH-ES", "A256GCM"},
                        Case{"ec", "ECDH-ES", "A128GCM"}, Case{"ec", "ECDH-ES+A128KW", "A256GCM"},
                        Case{"ec", "ECDH-ES+A256KW", "A128GCM"}}) {
    auto encrypted = pipe(card, paygate() + " crypto jwe encrypt --key " + file(std::string(c.key) + ".pub") +
                                    " --alg " + c.alg + " --enc " + c.enc);
    ASSERT_EQ(encrypted.exit_code, 0) << encrypted.output;
    auto decrypted = pipe(encrypted.output, "node " + interop("jose_jwe.mjs") + " decrypt " +
                                                file(std::string(c.key) + ".key") + " " + c.alg);
    ASSERT_EQ(decrypted.exit_code, 0) << c.alg << " " << c.enc << ": " << decrypted.output;
    EXPECT_EQ(decrypted.output, card) << c.alg << " " << c.enc;
  }
}

TEST_F(JweInterop, PaygateDecryptsWhatJoseEncrypts) {
  struct Case {
    const char* key;
    const char* alg;
    const char* enc;
  };
  for (const Case& c : {Case{"rsa", "RSA-OAEP-256", "A256GCM"}, Case{"rsa", "RSA-OAEP", "A128GCM"},
                        Case{"ec", "ECDH-ES", "A256GCM"}, Case{"ec", "ECDH-ES+A128KW", "A128GCM"},
                        Case{"ec", "ECDH-ES+A256KW", "A256GCM"}}) {
    auto encrypted = pipe(card, "node " + interop("jose_jwe.mjs") + " encrypt " + file(std::string(c.key) + ".pub") +
                                    " " + c.alg + " " + c.enc);
    ASSERT_EQ(encrypted.exit_code, 0) << encrypted.output;
    auto decrypted = pipe(encrypted.output, paygate() + " crypto jwe decrypt --key " + file(std::string(c.key) + ".key"));
    ASSERT_EQ(decrypted.exit_code, 0) << c.alg << " " << c.enc << ": " << decrypted.output;
    EXPECT_EQ(decrypted.output, card) << c.alg << " " << c.enc;
  }
}

TEST_F(JweInterop, MastercardClientEncryptionDecryptsWhatPaygateEncrypts) {
  // Mastercard's header: kid = lowercase hex SHA-256 of the SPKI, cty application/json.
  auto encrypted = pipe(card, paygate() + " crypto jwe encrypt --key " + file("rsa.crt") +
                                  " --alg RSA-OAEP-256 --enc A256GCM --cty application/json");
  ASSERT_EQ(encrypted.exit_code, 0) << encrypted.output;
  auto decrypted = pipe(encrypted.output, "node " + interop("mastercard_jwe.js") + " decrypt " + file("rsa.crt") + " " +
                                              file("rsa.key"));
  ASSERT_EQ(decrypted.exit_code, 0) << decrypted.output;
  // It turns digit strings into numbers (INTEROP-NOTES), so compare field by field.
  EXPECT_NE(decrypted.output.find("\"expiry_month\":12"), std::string::npos) << decrypted.output;
  EXPECT_NE(decrypted.output.find("\"cvv\""), std::string::npos) << decrypted.output;
  EXPECT_NE(decrypted.output.find("4111111111111111"), std::string::npos) << decrypted.output;
}

TEST_F(JweInterop, MastercardsNonStandardOutputIsRefusedByDefault) {
  // It encrypts with a 16-byte GCM IV; RFC 7518 fixes 96 bits, and paygate holds to it.
  auto encrypted = pipe(card, "node " + interop("mastercard_jwe.js") + " encrypt " + file("rsa.crt") + " " + file("rsa.key"));
  ASSERT_EQ(encrypted.exit_code, 0) << encrypted.output;
  auto decrypted = pipe(encrypted.output, paygate() + " crypto jwe decrypt --key " + file("rsa.key"));
  EXPECT_EQ(decrypted.exit_code, 1);
  EXPECT_NE(decrypted.output.find("malformed"), std::string::npos) << decrypted.output;
  EXPECT_EQ(decrypted.output.find("4111"), std::string::npos) << decrypted.output;
}

}  // namespace
}  // namespace paygate::test
