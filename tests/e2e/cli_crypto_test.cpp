// The operator commands for keys and crypto, run as a user would run them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/support/e2e.h"
#include "tests/support/vectors.h"

namespace paygate::test {
namespace {

std::string paygate() { return binary("paygate").string(); }

TEST(KeysCommand, GenerateWritesAPrivateFileOnceAndListShowsCheckValuesOnly) {
  auto dir = make_temp_dir("keys-cli");
  const std::string key = (dir / "data-1.key").string();
  auto r = run_command(paygate() + " keys generate --use data --id data-1 --state primary --out " + key);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("  - id: data-1\n    use: data\n    algorithm: aes-256-gcm\n    state: primary\n    file: " + key),
            std::string::npos) << r.output;
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string material = read_file(key);
  EXPECT_EQ(material.size(), 65u);  // 64 hex digits and a newline

  auto again = run_command(paygate() + " keys generate --use data --id data-1 --out " + key);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("refusing to overwrite a key"), std::string::npos);
  EXPECT_EQ(read_file(key), material);

  ASSERT_EQ(run_command(paygate() + " keys generate --use fpe --id fpe-1 --fpe-slot 3 --state primary --out " +
                        (dir / "fpe-1.key").string() + " >> " + (dir / "keyring.yaml").string()).exit_code, 0);
  std::ofstream(dir / "keyring.yaml", std::ios::app) << r.output.substr(r.output.find("  - id"));
  std::string yaml = "allow_plaintext_keys: true\nkeys:\n" + read_file(dir / "keyring.yaml");
  std::ofstream(dir / "keyring.yaml") << yaml;
  auto list = run_command(paygate() + " keys list --keyring " + (dir / "keyring.yaml").string());
  ASSERT_EQ(list.exit_code, 0) << list.output << yaml;
  EXPECT_NE(list.output.find("fpe-1"), std::string::npos);
  EXPECT_NE(list.output.find("aes-256-ff1  primary  3"), std::string::npos) << list.output;
  EXPECT_EQ(list.output.find(material.substr(0, 12)), std::string::npos) << "key material in the listing";

  // With the keyring named, the entry's path is relative to the keyring's folder, which is
  // where the loader resolves it from (run from anywhere).
  std::filesystem::create_directories(dir / "nested/keys");
  std::ofstream(dir / "nested/keys/keyring.yaml") << "allow_plaintext_keys: true\nkeys: []\n";
  auto nested = run_command("cd " + dir.string() + " && " + paygate() +
                            " keys generate --use data --id data-9 --out nested/keys/data-9.key --keyring "
                            "nested/keys/keyring.yaml 2>/dev/null");
  ASSERT_EQ(nested.exit_code, 0) << nested.output;
  EXPECT_NE(nested.output.find("    file: data-9.key\n"), std::string::npos) << nested.output;
  EXPECT_EQ(run_command(paygate() + " keys generate --use fpe --id x --out " + (dir / "x").string()).exit_code, 2);
  EXPECT_EQ(run_command(paygate() + " keys generate --use nope --id x --out " + (dir / "x").string()).exit_code, 2);
}

TEST(CryptoCommand, Ff1MatchesEveryNistVector) {
  const auto file = load_vectors("ff1_nist.json");
  for (const auto& item : file.as_array()) {
    const auto& v = item.as_object();
    const std::string common = " --key-hex " + std::string(v.at("key_hex").as_string()) + " --radix " +
                               std::to_string(v.at("radix").as_int64()) +
                               (v.at("tweak_hex").as_string().empty() ? "" : " --tweak-hex " + std::string(v.at("tweak_hex").as_string()));
    auto enc = run_command(paygate() + " crypto ff1 encrypt" + common + " " + std::string(v.at("plaintext").as_string()));
    EXPECT_EQ(enc.output, std::string(v.at("ciphertext").as_string()) + "\n") << v.at("name").as_string();
    auto dec = run_command(paygate() + " crypto ff1 decrypt" + common + " " + std::string(v.at("ciphertext").as_string()));
    EXPECT_EQ(dec.output, std::string(v.at("plaintext").as_string()) + "\n") << v.at("name").as_string();
  }
  auto small = run_command(paygate() + " crypto ff1 encrypt --key-hex 2B7E151628AED2A6ABF7158809CF4F3C 12345");
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_NE(small.output.find("out_of_domain"), std::string::npos);
}

}  // namespace
}  // namespace paygate::test

namespace paygate::test {
namespace {

TEST(ValidateCommand, PrintsTheProblemTheGatewayWouldAnswer) {
  auto dir = make_temp_dir("validate");
  TestConfig settings;
  settings.sim_port = 9443;
  std::string yaml = make_config(settings);
  // Give the payments route the authorization rules (its field policies are the
  // pipeline tests' business: validation comes first and needs none).
  const std::string anchor = "    upstream_path: /v1/authorizations\n";
  yaml.replace(yaml.find(anchor), anchor.size(), anchor + "    message: authorization\n    max_amount: 500\n");
  std::ofstream(dir / "paygate.yaml") << yaml;
  auto run = [&](const std::string& body) {
    std::ofstream(dir / "in.json") << body;
    return run_command(paygate() + " validate --route payments --config " + (dir / "paygate.yaml").string() + " < " +
                       (dir / "in.json").string());
  };
  auto ok = run(R"({"merchant_reference":"o-1","amount":{"value":1000,"currency":"EUR"},"card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2099,"cvv":"737"}})");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(ok.output, "");
  auto bad = run(R"({"merchant_reference":"o-1","amount":{"value":50001,"currency":"EUR"},"card":{"number":"4111111111111112","expiry_month":12,"expiry_year":2099}})");
  EXPECT_EQ(bad.exit_code, 1);
  auto problem = boost::json::parse(bad.output).as_object();
  EXPECT_EQ(problem["status"], 400);
  EXPECT_EQ(problem["type"], "urn:paygate:problem:invalid-message");
  EXPECT_EQ(boost::json::serialize(problem["errors"]),
            R"([{"pointer":"/amount/value","code":"amount_too_large","message":"The amount exceeds this route's maximum."},)"
            R"({"pointer":"/card/number","code":"pan_luhn","message":"The card number fails the Luhn check (a typo?)."}])");
  EXPECT_EQ(bad.output.find("4111111111111112"), std::string::npos);
  auto dup = run(R"({"card":{"number":"1","number":"2"}})");
  EXPECT_NE(dup.output.find(R"({"pointer":"/card/number","code":"duplicate_key",)"), std::string::npos) << dup.output;
  // A route with a broken policy is refused with its position.
  yaml.replace(yaml.find(anchor), anchor.size(), anchor + "    request: { \"$.card.cvv\": encrypt_for_merchant }\n");
  std::ofstream(dir / "paygate.yaml") << yaml;
  auto broken = run("{}");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.output.find("routes[0].request[$.card.cvv]: expected one of: tokenize"), std::string::npos) << broken.output;
}

}  // namespace
}  // namespace paygate::test
