// Key custody end to end (docs/crypto.md "Key custody"): the gateway runs the whole flow —
// envelopes, vault and FPE tokens, the audit chain — on data keys wrapped under a KEK in
// a real PKCS#11 token (SoftHSM2) and, separately, under custodians' components; keys are
// added and promoted by reload, the KEK rotated with `kek rotate`, the gateway restarted,
// and everything made before still opens. A plain deployment moves to wrapped keys by the
// shipped script, and no key file in the clear is left behind.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "card/detect.h"
#include "config/keyring_loader.h"
#include "crypto/aead_envelope.h"
#include "tests/support/e2e.h"
#include "tests/support/softhsm.h"

namespace paygate::test {
namespace {

namespace fs = std::filesystem;

const std::string authorization =
    R"({"merchant_reference":"order-1","amount":{"value":1299,"currency":"EUR"},)"
    R"("card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cvv":"737"}})";

std::string paygate() { return binary("paygate").string(); }

std::string config_yaml(std::uint16_t sim_port) {
  TestConfig settings;
  settings.sim_port = sim_port;
  settings.processor_extra = "    jwe: { public_key: " + (certs_dir() / "processor-jwe.pub.pem").string() + " }\n";
  std::string yaml = make_config(settings);
  yaml.insert(yaml.find("logging:"),
              "  - name: pay\n    match: { method: POST, path: /v2/payments }\n"
              "    processor: sim\n    upstream_path: /v1/authorizations\n    message: authorization\n"
              "    token_profile: cards\n"
              R"(    request: { "$.card.number": [issue_token, encrypt_for_processor], "$.card.cvv": encrypt_for_processor })" "\n"
              R"(    response: { "$.card.number": tokenize, "$.authorization_code": encrypt })" "\n");
  yaml += "token_profiles:\n  cards: { kind: vault }\n  fast: { kind: fpe }\n";
  yaml += "vault: { store: sqlite, path: vault.db }\n";
  yaml += "keys: { keyring: keys/keyring.yaml }\n";
  yaml += "audit: { dir: audit, fsync: always }\n";
  yaml += "admin: { address: 127.0.0.1:0 }\n";
  return yaml;
}

void write_text(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::trunc) << text; }

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("no '" + from + "' in: " + text);
  return text.replace(at, from.size(), to);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class KeyCustody : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sim_ = new Simulator(make_temp_dir("custody-sim")); }
  static void TearDownTestSuite() { delete sim_; }

  void SetUp() override {
    keys_ = dir_ / "keys";
    fs::create_directories(keys_);
    fs::permissions(keys_, fs::perms::owner_all);
  }

  std::string config() const { return (dir_ / "paygate.yaml").string(); }
  std::string keyring() const { return (keys_ / "keyring.yaml").string(); }

  // One command; stdout only (the ceremonies print snippets there) unless `both`.
  CommandResult cli(const std::string& args, bool both = false) const {
    return run_command(paygate() + " " + args + (both ? " 2>&1" : " 2>/dev/null"));
  }

  // One new key per use (data, fpe, fingerprint, audit), written as `<id><extension>` by
  // `keys generate` with `options` (--wrap ... or nothing); their keyring entries.
  std::string keys_one_per_use(const std::string& options, const std::string& extension) const {
    std::string entries;
    for (const std::string spec : {"data data-1", "fpe fpe-1 --fpe-slot 1", "fingerprint fp-1", "audit audit-1"}) {
      std::istringstream words(spec);
      std::string use, id, rest;
      words >> use >> id;
      std::getline(words, rest);
      auto made = cli("keys generate --use " + use + " --id " + id + " --state primary --out " +
                      (keys_ / (id + extension)).string() + options + rest);
      EXPECT_EQ(made.exit_code, 0) << made.output;
      entries += made.output;
    }
    return entries;
  }

  // One wrapped key per use under `kek`, and the keyring naming them after `keks`.
  void make_wrapped_keyring(const std::string& keks, const std::string& kek) {
    write_text(keyring(), "keks:\n" + keks + "keys: []\n");
    const std::string entries = keys_one_per_use(" --wrap " + kek + " --keyring " + keyring(), ".wrapped");
    write_text(keyring(), "keks:\n" + keks + "keys:\n" + entries);
  }

  void start() { gateway_ = std::make_unique<GatewayProcess>(dir_, config_yaml(sim_->port())); }

  std::string admin_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(gateway_->port("admin")) + path;
  }
  std::string metrics() const { return run_command("curl -sS " + admin_url("/metrics")).output; }
  std::pair<int, std::string> reload() const {
    auto r = run_command("curl -sS -w '\\n%{http_code}' -X POST " + admin_url("/admin/reload"));
    const auto newline = r.output.rfind('\n');
    return {std::stoi(r.output.substr(newline + 1)), r.output.substr(0, newline)};
  }

  // A payment: its envelope (authorization_code) and its vault token (card.number).
  std::pair<std::string, std::string> pay() const {
    HttpsClient client(gateway_->port(), client_options());
    auto answer = client.request("POST", "/v2/payments", authorization, {{"content-type", "application/json"}});
    EXPECT_EQ(answer.status, 200u) << answer.body << gateway_->log();
    if (answer.status != 200u) return {};
    auto body = boost::json::parse(answer.body).as_object();
    return {std::string(body.at("authorization_code").as_string()),
            std::string(body.at("card").as_object().at("token").as_string())};
  }

  CommandResult tokens(const std::string& action, const std::string& value, const std::string& profile) const {
    write_text(dir_ / "stdin", value + "\n");
    return run_command(paygate() + " tokens " + action + " --config " + config() + " --merchant anonymous --profile " +
                       profile + " < " + (dir_ / "stdin").string() + " 2>&1");
  }

  // What was made before must still open: the envelope (with the keyring as it is on
  // disk now), the vault token and the FPE token; and the audit chain verifies.
  void expect_everything_opens(const std::string& envelope, const std::string& vault_token, const std::string& fpe_token) {
    auto ring = config::load_keyring(keyring());
    ASSERT_TRUE(ring.ok()) << (ring.errors.empty() ? "" : ring.errors[0].to_string());
    EXPECT_TRUE(crypto::EnvelopeCipher(ring.keyring).open(envelope, "$.authorization_code", "anonymous").ok());
    auto pan = tokens("detokenize", vault_token, "cards");
    EXPECT_EQ(pan.exit_code, 0) << pan.output;
    EXPECT_EQ(pan.output, "4111111111111111\n");
    auto fpe = tokens("detokenize", fpe_token, "fast");
    EXPECT_EQ(fpe.exit_code, 0) << fpe.output;
    EXPECT_EQ(fpe.output, "5555555555554444\n");
    auto verify = cli("audit verify " + (dir_ / "audit").string() + " --config " + config(), true);
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
  }

  std::string audit() const { return audit_records(dir_ / "audit"); }

  static inline Simulator* sim_ = nullptr;
  fs::path dir_;
  fs::path keys_;
  std::unique_ptr<GatewayProcess> gateway_;
};

class HsmCustody : public KeyCustody {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("custody-hsm");
    KeyCustody::SetUp();
    token_ = std::make_unique<SoftHsmToken>(dir_ / "hsm", "paygate");
  }
  std::string kek_init(const std::string& label, const std::string& id, const std::string& extra = "") const {
    auto r = cli("kek init --pkcs11 " + std::string(softhsm_module) + " --token paygate --label " + label +
                 " --pin-file " + token_->pin_file().string() + " --id " + id + extra);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  }
  std::unique_ptr<SoftHsmToken> token_;
};

TEST_F(HsmCustody, TheWholeFlowRunsOnKeysWrappedInAPkcs11Token) {
  // The KEK is made inside the token; asked again, the token says it exists.
  const std::string keks = kek_init("kek-2026", "kek-hsm-1");
  EXPECT_EQ(keks, "  - id: kek-hsm-1\n    pkcs11:\n      module: " + std::string(softhsm_module) +
                      "\n      token: paygate\n      key_label: kek-2026\n      pin_file: " +
                      token_->pin_file().string() + "\n");
  auto again = cli("kek init --pkcs11 " + std::string(softhsm_module) + " --token paygate --label kek-2026 --pin-file " +
                       token_->pin_file().string(), true);
  EXPECT_NE(again.output.find("found the existing KEK \"kek-2026\""), std::string::npos) << again.output;
  make_wrapped_keyring(keks, "kek-hsm-1");
  for (const auto& f : fs::directory_iterator(keys_)) EXPECT_NE(f.path().extension(), ".key") << "no key in the clear";

  start();
  const auto [envelope, vault_token] = pay();
  EXPECT_EQ(envelope.rfind("pg1.data-1.", 0), 0u) << envelope;
  auto fpe = tokens("tokenize", "5555555555554444", "fast");
  ASSERT_EQ(fpe.exit_code, 0) << fpe.output;
  const std::string fpe_token = fpe.output.substr(0, fpe.output.find('\n'));

  // A new wrapped data key, added (audited ceremony) and promoted by reload.
  auto made = cli("keys generate --use data --id data-2 --state primary --out " + (keys_ / "data-2.wrapped").string() +
                  " --wrap kek-hsm-1 --config " + config());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  write_text(keyring(), replaced(test::read_file(keyring()), "id: data-1\n    use: data\n    algorithm: aes-256-gcm\n    state: primary",
                                 "id: data-1\n    use: data\n    algorithm: aes-256-gcm\n    state: active") + made.output);
  auto [status, answer] = reload();
  ASSERT_EQ(status, 200) << answer;
  EXPECT_EQ(pay().first.rfind("pg1.data-2.", 0), 0u);

  // The token unreachable at reload: refused, counted, the old keys keep serving.
  fs::rename(token_->token_dir(), token_->token_dir().string() + ".away");
  std::tie(status, answer) = reload();
  EXPECT_EQ(status, 422) << answer;
  EXPECT_NE(answer.find("KEK kek-hsm-1: PKCS#11 module " + std::string(softhsm_module) + " does not initialize"),
            std::string::npos) << answer;
  EXPECT_NE(metrics().find("paygate_kek_unavailable_total 1\n"), std::string::npos);
  EXPECT_EQ(pay().first.rfind("pg1.data-2.", 0), 0u);
  fs::rename(token_->token_dir().string() + ".away", token_->token_dir());
  EXPECT_EQ(reload().first, 200);

  // A second KEK in the token takes over: every wrapped file rewrapped, resumably.
  const std::string keks2 = kek_init("kek-2027", "kek-hsm-2");
  write_text(keyring(), replaced(test::read_file(keyring()), "keys:\n", keks2 + "keys:\n"));
  auto rotated = cli("kek rotate --from kek-hsm-1 --to kek-hsm-2 --config " + config(), true);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_NE(rotated.output.find("rewrapped 5, already under kek-hsm-2 0, under other KEKs 0, under kek-hsm-1 0"),
            std::string::npos) << rotated.output;
  EXPECT_NE(rotated.output.find("[########################################] 5/5"), std::string::npos) << "progress";
  EXPECT_NE(cli("kek rotate --from kek-hsm-1 --to kek-hsm-2 --config " + config()).output.find("rewrapped 0, already under kek-hsm-2 5"),
            std::string::npos) << "a second run finds nothing left to do";
  for (const char* id : {"data-1", "data-2", "fpe-1", "fp-1", "audit-1"}) {
    EXPECT_NE(test::read_file(keys_ / (std::string(id) + ".wrapped")).find("kek: kek-hsm-2\n"), std::string::npos) << id;
  }
  // The old KEK is no longer needed: taken out of the keyring, everything still loads.
  write_text(keyring(), replaced(test::read_file(keyring()), keks, ""));

  // Restarted on the rotated keyring: everything made before still opens.
  gateway_.reset();
  start();
  EXPECT_EQ(pay().first.rfind("pg1.data-2.", 0), 0u);
  expect_everything_opens(envelope, vault_token, fpe_token);

  const std::string records = audit();
  EXPECT_EQ(count(records, R"("type":"key_generated","key_id":"data-2")"), 1u) << records;
  EXPECT_NE(records.find(R"("type":"kek_rotate_end","from":"kek-hsm-1","to":"kek-hsm-2","rewrapped":5)"), std::string::npos);
  EXPECT_EQ(records.find(softhsm_user_pin), std::string::npos) << "never the PIN";
  EXPECT_EQ(gateway_->log().find(softhsm_user_pin), std::string::npos);
  EXPECT_TRUE(card::find_pans(records).empty());
}

TEST_F(HsmCustody, EachTokenFailureIsAClearErrorAtStart) {
  const std::string keks = kek_init("kek-2026", "kek-hsm-1");
  make_wrapped_keyring(keks, "kek-hsm-1");
  write_text(config(), config_yaml(sim_->port()));
  const auto check = [&] { return cli("check-config --config " + config(), true).output; };
  const std::string module = "PKCS#11 module " + std::string(softhsm_module);

  // Wrong PIN: the module, the slot and the token named; never the PIN tried.
  const fs::path wrong = dir_ / "wrong.pin";
  write_text(wrong, "123456\n");
  fs::permissions(wrong, fs::perms::owner_read | fs::perms::owner_write);
  write_text(keyring(), replaced(test::read_file(keyring()), token_->pin_file().string(), wrong.string()));
  std::string out = check();
  EXPECT_TRUE(std::regex_search(out, std::regex("keyring.yaml:2:5: keks\\[0\\]: KEK kek-hsm-1: " + std::regex_replace(
                                                    module, std::regex("[.#/]"), "\\$&") +
                                                ", slot [0-9]+ \\(token \"paygate\"\\): login refused: wrong PIN "
                                                "\\(CKR_PIN_INCORRECT\\)")))
      << out;
  EXPECT_EQ(out.find("123456"), std::string::npos);
  // The same error stops `serve`, before it listens.
  auto serve = run_command(serve_shell_command({"--config", config()}) + " 2>&1");
  EXPECT_NE(serve.exit_code, 0);
  EXPECT_NE(serve.output.find("login refused: wrong PIN"), std::string::npos) << serve.output;
  write_text(keyring(), replaced(test::read_file(keyring()), wrong.string(), token_->pin_file().string()));

  // The key label or the token missing.
  write_text(keyring(), replaced(test::read_file(keyring()), "key_label: kek-2026", "key_label: kek-gone"));
  EXPECT_NE(check().find("(token \"paygate\"): no key labelled \"kek-gone\""), std::string::npos);
  write_text(keyring(), replaced(test::read_file(keyring()), "key_label: kek-gone\n", "key_label: kek-2026\n"));
  write_text(keyring(), replaced(test::read_file(keyring()), "token: paygate", "token: other"));
  EXPECT_NE(check().find(module + ": no token labelled \"other\""), std::string::npos);
  write_text(keyring(), replaced(test::read_file(keyring()), "token: other", "token: paygate"));

  // A wrapped file tampered with, readable by others, or wrapped under another KEK.
  const fs::path data = keys_ / "data-1.wrapped";
  const std::string original = test::read_file(data);
  std::string tampered = original;
  char& digit = tampered[tampered.find("wrapped: ") + 30];
  digit = digit == '0' ? '1' : '0';
  write_text(data, tampered);
  out = check();
  EXPECT_NE(out.find("keys[0].wrapped: wrapped key file " + data.string() +
                     ": the wrapped key does not open under this KEK (wrong KEK or tampered)"),
            std::string::npos) << out;
  EXPECT_EQ(out.find(tampered.substr(tampered.find("wrapped: ") + 9, 16)), std::string::npos) << "never the bytes";
  write_text(data, original);
  fs::permissions(data, fs::perms::others_read, fs::perm_options::add);
  EXPECT_NE(check().find("keys[0].wrapped: wrapped key file is accessible by group or others (mode 0604); run chmod "
                         "600: " + data.string()),
            std::string::npos);
  fs::permissions(data, fs::perms::others_read, fs::perm_options::remove);
  const std::string keks2 = kek_init("kek-2027", "kek-hsm-2");
  write_text(keyring(), replaced(test::read_file(keyring()), "keys:\n", keks2 + "keys:\n"));
  write_text(data, replaced(original, "kek: kek-hsm-1", "kek: kek-hsm-2"));
  EXPECT_NE(check().find("keys[0].wrapped: wrapped key file " + data.string() + ": KEK kek-hsm-2 has check value "),
            std::string::npos);
  write_text(data, original);
  EXPECT_EQ(cli("check-config --config " + config()).exit_code, 0);
}

TEST_F(KeyCustody, APlainDeploymentMovesToComponentsByScriptAndRotatesItsKek) {
  dir_ = make_temp_dir("custody-components");
  KeyCustody::SetUp();
  // Yesterday's deployment: keys in the clear, allowed (and warned about).
  const std::string entries = keys_one_per_use("", ".key");
  write_text(keyring(), "allow_plaintext_keys: true\nkeys:\n" + entries);
  start();
  const auto [envelope, vault_token] = pay();
  auto fpe = tokens("tokenize", "5555555555554444", "fast");
  ASSERT_EQ(fpe.exit_code, 0) << fpe.output;
  const std::string fpe_token = fpe.output.substr(0, fpe.output.find('\n'));
  EXPECT_NE(cli("check-config --config " + config(), true).output.find(
                "keys: allow_plaintext_keys: keys data-1, fpe-1, fp-1, audit-1 on disk in the clear"),
            std::string::npos);

  // The ceremony: three custodians' components, audited; the KEK declared in the keyring.
  auto ceremony = cli("kek components generate --count 3 --id kek-split-1 --out " + (dir_ / "ceremony").string() +
                      " --config " + config(), true);
  ASSERT_EQ(ceremony.exit_code, 0) << ceremony.output;
  for (int i = 1; i <= 3; ++i) {
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "ceremony" / ("kek-split-1.component-" + std::to_string(i))).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  const std::string keks = ceremony.output.substr(ceremony.output.find("  - id: kek-split-1"));
  write_text(keyring(), replaced(test::read_file(keyring()), "keys:\n", "keks:\n" + keks + "keys:\n"));

  // The scripted migration: every key wrapped, every plain file destroyed.
  auto migrated = run_command((source_dir() / "scripts/migrate-to-wrapped-keys").string() + " " + config() + " " +
                              keyring() + " kek-split-1 " + paygate() + " 2>&1");
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  EXPECT_NE(migrated.output.find("wrapped 4 key(s) under KEK kek-split-1; no key is in the clear"), std::string::npos)
      << migrated.output;
  for (const auto& f : fs::directory_iterator(keys_)) EXPECT_NE(f.path().extension(), ".key") << f.path();
  EXPECT_EQ(test::read_file(keyring()).find("allow_plaintext_keys"), std::string::npos);
  EXPECT_EQ(cli("check-config --config " + config(), true).output.find("in the clear"), std::string::npos);
  auto listed = cli("keys list --config " + config());
  EXPECT_EQ(count(listed.output, "KEK kek-split-1"), 4u) << listed.output;
  // Run again: nothing left to wrap.
  EXPECT_NE(run_command((source_dir() / "scripts/migrate-to-wrapped-keys").string() + " " + config() + " " + keyring() +
                        " kek-split-1 " + paygate()).output.find("wrapped 0 key(s)"),
            std::string::npos);
  // The running gateway takes the same keys, now wrapped, at its next reload.
  auto [status, answer] = reload();
  ASSERT_EQ(status, 200) << answer;
  pay();

  // A component lost or wrong refuses a reload, naming it.
  const auto component = dir_ / "ceremony" / "kek-split-1.component-2";
  fs::rename(component, dir_ / "away");
  std::tie(status, answer) = reload();
  EXPECT_EQ(status, 422);
  EXPECT_NE(answer.find("KEK kek-split-1: KEK component 2 (" + component.string() + "): key file not found"),
            std::string::npos) << answer;
  fs::rename(dir_ / "away", component);

  // A new components KEK takes over; the old one leaves the keyring.
  auto second = cli("kek components generate --count 2 --id kek-split-2 --out " + (dir_ / "ceremony2").string() +
                    " --config " + config());
  ASSERT_EQ(second.exit_code, 0);
  write_text(keyring(), replaced(test::read_file(keyring()), "keys:\n", second.output + "keys:\n"));
  auto rotated = cli("kek rotate --from kek-split-1 --to kek-split-2 --config " + config(), true);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_NE(rotated.output.find("rewrapped 4, already under kek-split-2 0"), std::string::npos) << rotated.output;
  write_text(keyring(), replaced(test::read_file(keyring()), keks, ""));
  gateway_.reset();
  start();
  pay();
  expect_everything_opens(envelope, vault_token, fpe_token);

  const std::string records = audit();
  EXPECT_EQ(count(records, R"("type":"key_wrapped")"), 4u);
  EXPECT_EQ(count(records, R"("plain_file_shredded":true)"), 4u);
  EXPECT_EQ(count(records, R"("type":"kek_components_generated")"), 2u);
  EXPECT_NE(records.find(R"("type":"kek_rotate_end","from":"kek-split-1","to":"kek-split-2","rewrapped":4)"),
            std::string::npos);
  for (const auto& f : fs::directory_iterator(dir_ / "ceremony")) {
    const std::string material = test::read_file(f.path()).substr(0, 64);
    EXPECT_EQ(records.find(material), std::string::npos) << "a component in the audit log";
  }
}

}  // namespace
}  // namespace paygate::test
