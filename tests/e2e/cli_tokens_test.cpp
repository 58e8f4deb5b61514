// The tokens and keys commands end to end on both stores: tokenize, detokenize, delete,
// the whole rotation story through configuration edits and `keys rewrap`, two processes
// sharing one PostgreSQL vault, and a kill -9 in the middle of tokenizing.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tokens/store/sqlite_vault_store.h"
#include "tokens/vault_tokenizer.h"
#include "tests/crypto/test_keys.h"
#include "tests/support/e2e.h"
#include "tests/support/postgres.h"
#include "tests/support/vectors.h"

#include <boost/json/parse.hpp>

namespace paygate::test {
namespace {

using namespace std::chrono_literals;

std::string paygate() { return binary("paygate").string(); }

// A configuration folder with its own keyring (dev keys) and a vault of the given kind.
class TokenWorkspace {
 public:
  explicit TokenWorkspace(const std::string& vault_yaml, bool audited = true) : dir_(make_temp_dir("tokens-cli")) {
    make_dev_keyring(dir_);
    TestConfig settings;
    settings.sim_port = 9443;
    std::string yaml = make_config(settings);
    yaml += "keys: { keyring: keys/keyring.yaml }\n";
    yaml += "token_profiles:\n  cards: { kind: vault }\n  fpe: { kind: fpe }\n";
    yaml += vault_yaml;
    if (audited) yaml += "audit: { dir: audit, fsync: always }\n";
    std::ofstream(config()) << yaml;
  }
  std::string config() const { return (dir_ / "paygate.yaml").string(); }
  std::filesystem::path audit_dir() const { return dir_ / "audit"; }
  std::filesystem::path dir() const { return dir_; }

  CommandResult tokens(const std::string& action, const std::string& merchant, const std::string& value,
                       const std::string& profile = "cards", const std::string& env = "") const {
    std::ofstream(dir_ / "stdin") << value << "\n";
    return run_command(env + paygate() + " tokens " + action + " --config " + config() + " --merchant " + merchant +
                       (action == "delete" ? "" : " --profile " + profile) + " < " + (dir_ / "stdin").string());
  }
  std::string token(const std::string& merchant, const std::string& pan, const std::string& profile = "cards",
                    const std::string& env = "") const {
    auto r = tokens("tokenize", merchant, pan, profile, env);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output.substr(0, r.output.find('\n'));
  }

  void edit_keyring(const std::string& from, const std::string& to) const {
    std::string text = read_file(dir_ / "keys/keyring.yaml");
    auto pos = text.find(from);
    if (pos == std::string::npos) throw std::runtime_error("no '" + from + "' in the keyring");
    std::ofstream(dir_ / "keys/keyring.yaml") << text.replace(pos, from.size(), to);
  }

 private:
  std::filesystem::path dir_;
};

const char* sqlite_vault = "vault: { store: sqlite, path: vault.db }\n";

// The end of an FPE key: retired, then destroyed with its material file (checked against
// the keyring's check value), audited; its tombstone keeps its slot from ever taking a
// new key, and its tokens answer retired_key.
TEST(KeysCommand, DestroyARetiredFpeKeyLeavesATombstoneThatKeepsItsSlot) {
  TokenWorkspace ws(sqlite_vault);
  const std::string token = ws.token("acme", "4111111111111111", "fpe");
  const auto keys = ws.dir() / "keys";
  auto made = run_command(paygate() + " keys generate --use fpe --id fpe-dev-2 --fpe-slot 2 --state primary --out " +
                          (keys / "fpe-dev-2.wrapped").string() + " --wrap kek-dev --config " + ws.config() + " 2>/dev/null");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  ws.edit_keyring("id: fpe-dev-1\n    use: fpe\n    algorithm: aes-256-ff1\n    state: primary",
                  "id: fpe-dev-1\n    use: fpe\n    algorithm: aes-256-ff1\n    state: retired");
  std::ofstream(keys / "keyring.yaml", std::ios::app) << made.output;
  EXPECT_NE(ws.tokens("detokenize", "acme", token, "fpe").exit_code, 0);  // retired: its tokens no longer open
  const std::string destroy = paygate() + " keys destroy --config " + ws.config() + " --id fpe-dev-1 --file ";
  auto wrong = run_command(destroy + (keys / "fpe-dev-2.wrapped").string() + " 2>&1");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("does not hold key fpe-dev-1"), std::string::npos) << wrong.output;
  EXPECT_TRUE(std::filesystem::exists(keys / "fpe-dev-2.wrapped"));
  auto done = run_command(destroy + (keys / "fpe-dev-1.wrapped").string() + " 2>/dev/null");
  ASSERT_EQ(done.exit_code, 0) << done.output;
  EXPECT_FALSE(std::filesystem::exists(keys / "fpe-dev-1.wrapped"));
  EXPECT_EQ(done.output, "destroyed:\n  - id: fpe-dev-1\n    use: fpe\n    fpe_slot: 1\n");
  bool audited = false, generated = false;
  for (const auto& f : std::filesystem::directory_iterator(ws.audit_dir())) {
    audited = audited || read_file(f.path()).find(R"("type":"key_destroyed","key_id":"fpe-dev-1")") != std::string::npos;
    generated = generated || read_file(f.path()).find(R"("type":"key_generated","key_id":"fpe-dev-2")") != std::string::npos;
  }
  EXPECT_TRUE(audited);
  EXPECT_TRUE(generated) << "keys generate --config is audited";
  // The keyring with the tombstone instead of the entry: valid; a new key in slot 1 is not.
  std::string text = read_file(keys / "keyring.yaml");
  const auto entry = text.find("  - id: fpe-dev-1");
  text.erase(entry, text.find("  - id:", entry + 1) - entry);
  std::ofstream(keys / "keyring.yaml", std::ios::trunc) << text << done.output;
  const std::string check = paygate() + " check-config --config " + ws.config() + " 2>&1";
  auto with_tombstone = run_command(check);
  EXPECT_EQ(with_tombstone.exit_code, 0) << with_tombstone.output;
  EXPECT_NE(ws.tokens("detokenize", "acme", token, "fpe").exit_code, 0);
  ws.edit_keyring("fpe_slot: 2", "fpe_slot: 1");
  auto reused = run_command(check);
  EXPECT_NE(reused.exit_code, 0);
  EXPECT_NE(reused.output.find("never reused"), std::string::npos) << reused.output;
}

TEST(TokensCommand, VaultAndFpeTokensRoundTripOnSqlite) {
  TokenWorkspace ws(sqlite_vault);
  for (const char* profile : {"cards", "fpe"}) {
    const std::string t = ws.token("acme", "4111111111111111", profile);
    ASSERT_EQ(t.size(), 16u) << profile;
    EXPECT_EQ(t.substr(0, 6), "411111");
    EXPECT_EQ(ws.token("acme", "4111111111111111", profile), t) << "convergent";
    auto back = ws.tokens("detokenize", "acme", t, profile);
    EXPECT_EQ(back.exit_code, 0);
    EXPECT_EQ(back.output, "4111111111111111\n");
  }
  const std::string t = ws.token("acme", "5555555555554444");
  auto other = ws.tokens("detokenize", "globex", t);
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.output.find("not_found"), std::string::npos);
  auto bad = ws.tokens("tokenize", "acme", "4111111111111112");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("fails the Luhn check"), std::string::npos);
  EXPECT_EQ(bad.output.find("4111111111111112"), std::string::npos);
  EXPECT_EQ(ws.tokens("delete", "acme", t).output, "deleted\n");
  EXPECT_EQ(ws.tokens("detokenize", "acme", t).exit_code, 1);
  // Each operator record names the keys it used: vault rows by their fingerprint and data
  // keys, FPE tokens by the slot's key.
  const std::string records = audit_records(ws.audit_dir());
  EXPECT_NE(records.find(R"("type":"tokenize")"), std::string::npos);
  // The operator is the account the kernel names (root shows as root), not $USER.
  const passwd* me = ::getpwuid(::getuid());
  ASSERT_NE(me, nullptr);
  EXPECT_NE(records.find(R"("operator":")" + std::string(me->pw_name) + " (uid " + std::to_string(::getuid()) + ")"),
            std::string::npos) << records.substr(0, 600);
  EXPECT_NE(records.find(R"("key_ids":["fp-dev-1","data-dev-1"])"), std::string::npos) << "a new vault row";
  EXPECT_NE(records.find(R"("type":"detokenize")"), std::string::npos);
  EXPECT_NE(records.find(R"("key_ids":["data-dev-1"])"), std::string::npos) << "a vault detokenization";
  EXPECT_NE(records.find(R"("key_ids":["fpe-dev-1"])"), std::string::npos) << "FPE";
}

TEST(TokensCommand, RotationStoryThroughConfigurationAndRewrap) {
  TokenWorkspace ws(sqlite_vault);
  std::vector<std::pair<std::string, std::string>> issued;
  for (const char* pan : {"4111111111111111", "5555555555554444", "378282246310005", "6011111111111117",
                          "3530111333300000", "4000056655665556"}) {
    issued.emplace_back(ws.token("acme", pan), pan);
  }
  // 1. Add new data and fingerprint keys and promote them; the old ones become active.
  for (const char* spec : {"data data-dev-2", "fingerprint fp-dev-2"}) {
    std::istringstream words(spec);
    std::string use, id;
    words >> use >> id;
    auto r = run_command(paygate() + " keys generate --use " + use + " --id " + id + " --state primary --out " +
                         (ws.dir() / "keys" / (id + ".wrapped")).string() + " --wrap kek-dev --keyring " +
                         (ws.dir() / "keys/keyring.yaml").string() + " 2>/dev/null | sed 's|wrapped: .*/|wrapped: |' >> " +
                         (ws.dir() / "keys/keyring.yaml").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  ws.edit_keyring("id: data-dev-1\n    use: data\n    algorithm: aes-256-gcm\n    state: primary",
                  "id: data-dev-1\n    use: data\n    algorithm: aes-256-gcm\n    state: active");
  ws.edit_keyring("id: fp-dev-1\n    use: fingerprint\n    algorithm: hmac-sha256\n    state: primary",
                  "id: fp-dev-1\n    use: fingerprint\n    algorithm: hmac-sha256\n    state: active");
  auto check = run_command(paygate() + " check-config --config " + ws.config());
  ASSERT_EQ(check.exit_code, 0) << check.output;
  // 2. Rewrap (in small batches), which can be run again safely.
  auto rewrap = run_command(paygate() + " keys rewrap --batch 4 --config " + ws.config());
  ASSERT_EQ(rewrap.exit_code, 0) << rewrap.output;
  EXPECT_NE(rewrap.output.find("rewrapped 6, skipped 0"), std::string::npos) << rewrap.output;
  EXPECT_NE(run_command(paygate() + " keys rewrap --config " + ws.config()).output.find("rewrapped 0"), std::string::npos);
  // 3. Retire the old keys: every token still detokenizes and stays convergent.
  ws.edit_keyring("state: active\n    wrapped: data-dev-1.wrapped", "state: retired\n    wrapped: data-dev-1.wrapped");
  ws.edit_keyring("state: active\n    wrapped: fp-dev-1.wrapped", "state: retired\n    wrapped: fp-dev-1.wrapped");
  for (const auto& [token, pan] : issued) {
    auto back = ws.tokens("detokenize", "acme", token);
    EXPECT_EQ(back.output, pan + "\n") << back.output;
    EXPECT_EQ(ws.token("acme", pan), token);
  }
  auto list = run_command(paygate() + " keys list --config " + ws.config());
  EXPECT_NE(list.output.find("data-dev-1               data         aes-256-gcm  retired"), std::string::npos) << list.output;
}

// Every operator touch of card data is in the audit log, with the token and the masked
// PAN and never the PAN; the chain verifies, the scanner finds nothing; tampering and a
// crash's torn line get their own exit codes; without an audit log nothing runs.
TEST(TokensCommand, OperatorActionsAreAuditedAndTheChainVerifies) {
  TokenWorkspace ws(sqlite_vault);
  const std::string t = ws.token("acme", "4111111111111111");
  ASSERT_EQ(ws.tokens("detokenize", "acme", t).exit_code, 0);
  ASSERT_EQ(ws.tokens("detokenize", "globex", t).exit_code, 1);  // refused: audited too
  ASSERT_EQ(run_command(paygate() + " keys rewrap --config " + ws.config()).exit_code, 0);

  auto verify = run_command(paygate() + " audit verify " + ws.audit_dir().string() + " --config " + ws.config());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("intact"), std::string::npos) << verify.output;
  auto scan = run_command(paygate() + " audit scan " + ws.audit_dir().string());
  EXPECT_EQ(scan.exit_code, 0) << scan.output;
  // An anchor for each stream; the chain holds it, and a made-up one fails verification.
  auto anchor = run_command(paygate() + " audit anchor " + ws.audit_dir().string() + " --config " + ws.config() + " 2>/dev/null");
  ASSERT_EQ(anchor.exit_code, 0) << anchor.output;
  const std::string anchor_line = anchor.output.substr(0, anchor.output.find('\n'));
  auto anchored = run_command(paygate() + " audit verify " + ws.audit_dir().string() + " --config " + ws.config() +
                              " --anchor " + anchor_line);
  EXPECT_EQ(anchored.exit_code, 0) << anchor_line << "\n" << anchored.output;
  std::string forged = anchor_line;
  forged.back() = forged.back() == '0' ? '1' : '0';
  auto forged_anchor = run_command(paygate() + " audit verify " + ws.audit_dir().string() + " --config " + ws.config() +
                             " --anchor " + forged);
  EXPECT_EQ(forged_anchor.exit_code, 1) << forged_anchor.output;
  EXPECT_NE(forged_anchor.output.find("anchor_missing"), std::string::npos) << forged_anchor.output;

  std::vector<std::string> types;
  std::string detokenize_line;
  for (const auto& f : std::filesystem::directory_iterator(ws.audit_dir())) {
    if (f.path().extension() != ".log") continue;
    std::istringstream lines(read_file(f.path()));
    for (std::string line; std::getline(lines, line);) {
      auto record = boost::json::parse(line).as_object();
      types.emplace_back(record.at("type").as_string());
      if (record.at("type") == "detokenize" && record.at("result") == "ok") detokenize_line = line;
    }
  }
  for (const char* expected : {"tokenize", "detokenize", "rewrap_start", "rewrap_progress", "rewrap_end", "start", "stop"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), expected), types.end()) << expected;
  }
  EXPECT_NE(detokenize_line.find("\"masked_pan\":\"411111******1111\""), std::string::npos) << detokenize_line;
  EXPECT_NE(detokenize_line.find("\"token\":\"" + t + "\""), std::string::npos);
  EXPECT_NE(detokenize_line.find("\"operator\":"), std::string::npos);
  EXPECT_EQ(detokenize_line.find("4111111111111111"), std::string::npos);

  // Tampering: exit 1, with file, line and kind. A torn last line alone: exit 3.
  std::filesystem::path first;
  for (const auto& f : std::filesystem::directory_iterator(ws.audit_dir())) {
    if (f.path().extension() == ".log" && (first.empty() || f.path() < first)) first = f.path();
  }
  const std::string original = read_file(first);
  // A crash tears the newest file's last line.
  std::filesystem::path last = first;
  for (const auto& f : std::filesystem::directory_iterator(ws.audit_dir())) {
    if (f.path().extension() == ".log" && f.path() > last) last = f.path();
  }
  const std::string last_original = read_file(last);
  std::ofstream(last, std::ios::trunc) << last_original << R"({"seq":99,"ki)";
  auto crashed = run_command(paygate() + " audit verify " + ws.audit_dir().string() + " --config " + ws.config());
  EXPECT_EQ(crashed.exit_code, 3) << crashed.output;
  EXPECT_NE(crashed.output.find("torn_tail"), std::string::npos);
  std::ofstream(last, std::ios::trunc) << last_original;
  std::string changed = original;
  changed.replace(changed.find("\"acme\""), 6, "\"acmf\"");
  std::ofstream(first, std::ios::trunc) << changed;
  auto tampered = run_command(paygate() + " audit verify " + ws.audit_dir().string() + " --config " + ws.config());
  EXPECT_EQ(tampered.exit_code, 1) << tampered.output;
  EXPECT_NE(tampered.output.find(first.filename().string() + ":"), std::string::npos) << tampered.output;
  EXPECT_NE(tampered.output.find("modified"), std::string::npos) << tampered.output;
  EXPECT_NE(tampered.output.find("NOT INTACT"), std::string::npos);
  // The writer checks the tail it continues, and refuses a tampered one: the operator
  // command does not run.
  std::ofstream(first, std::ios::trunc) << original;
  std::string changed_tail = last_original;
  changed_tail.replace(changed_tail.find("\"rewrapped\":"), 12, "\"rewrapper\":");
  std::ofstream(last, std::ios::trunc) << changed_tail;
  auto refused = ws.tokens("detokenize", "acme", t);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("audit"), std::string::npos) << refused.output;
  EXPECT_EQ(refused.output.find("4111111111111111"), std::string::npos);
}

TEST(TokensCommand, NothingRunsWithoutAnAuditLog) {
  TokenWorkspace ws(sqlite_vault, false);
  auto r = ws.tokens("tokenize", "acme", "4111111111111111");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("refusing to run without the audit log"), std::string::npos) << r.output;
  EXPECT_NE(run_command(paygate() + " keys rewrap --config " + ws.config()).exit_code, 0);
}

TEST(AuditScanCommand, ReportsFileLineAndTheMaskedNumberOnly) {
  const auto dir = make_temp_dir("audit-scan");
  std::ofstream(dir / "app.log") << "ok line\n{\"card\":{\"number\":\"5555 5555 5555 4444\"}}\nfine 12345\n";
  std::ofstream(dir / "clean.log") << "nothing to see 2026-11-29 1764456000123\n";
  auto r = run_command(paygate() + " audit scan " + dir.string() + " 2>&1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find((dir / "app.log").string() + ":2: 555555******4444"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("5555 5555 5555 4444"), std::string::npos);
  EXPECT_NE(r.output.find("1 card numbers found"), std::string::npos) << r.output;
  EXPECT_EQ(run_command(paygate() + " audit scan " + (dir / "clean.log").string()).exit_code, 0);
  // Known test PANs from the shared vectors, beyond the built-in rules.
  std::ofstream(dir / "odd.log") << "pan 8171999927660000\n";
  EXPECT_EQ(run_command(paygate() + " audit scan " + (dir / "odd.log").string()).exit_code, 1);  // built-in list
  std::ofstream(dir / "odd.log") << "pan 4716989580001715213\n";  // Luhn-invalid, listed in the vectors
  EXPECT_EQ(run_command(paygate() + " audit scan " + (dir / "odd.log").string()).exit_code, 0);
  EXPECT_EQ(run_command(paygate() + " audit scan --known-pans " + (vectors_dir() / "test_pans.json").string() + " " +
                        (dir / "odd.log").string())
                .exit_code,
            1);
  EXPECT_EQ(run_command(paygate() + " audit scan /nonexistent").exit_code, 2);
}

TEST(TokensCommand, TwoProcessesShareOnePostgresqlVault) {
  auto& pg = PostgresServer::instance();
  TokenWorkspace ws("vault: { store: postgresql, dsn_env: PAYGATE_PG_DSN }\n");
  const std::string env = "PAYGATE_PG_DSN='" + pg.create_database() + "' ";
  // Two processes race to tokenize the same PAN: the unique constraint makes them agree.
  std::string first, second;
  std::thread a([&] { first = ws.token("acme", "4242424242424242", "cards", env); });
  std::thread b([&] { second = ws.token("acme", "4242424242424242", "cards", env); });
  a.join();
  b.join();
  EXPECT_EQ(first, second);
  ASSERT_EQ(first.size(), 16u);
  // A token made by one process detokenizes in another.
  const std::string made = ws.token("acme", "5105105105105100", "cards", env);
  auto back = ws.tokens("detokenize", "acme", made, "cards", env);
  EXPECT_EQ(back.output, "5105105105105100\n") << back.output;
  auto missing = ws.tokens("detokenize", "acme", made, "cards", "PAYGATE_PG_DSN='host=127.0.0.1 port=1 dbname=x' ");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("unavailable"), std::string::npos) << missing.output;
}

TEST(VaultCrash, KillNineWhileTokenizingLosesNoReportedToken) {
  auto dir = make_temp_dir("crash");
  const std::string vault = (dir / "vault.db").string();
  ChildProcess loop({binary("tokenize_loop").string(), vault}, dir / "reported.txt");
  // Let it run until it has reported a good number of tokens, then pull the plug.
  auto reported_lines = [&] {
    const std::string text = read_file(dir / "reported.txt");
    return std::count(text.begin(), text.end(), '\n');
  };
  for (int i = 0; i < 500 && reported_lines() < 200; ++i) std::this_thread::sleep_for(10ms);
  loop.stop(SIGKILL);
  std::istringstream reported(read_file(dir / "reported.txt"));
  auto store = std::shared_ptr<tokens::VaultStore>(tokens::SqliteVaultStore::open(vault).value());
  ASSERT_TRUE(store->check_consistency());
  tokens::VaultTokenizer tokenizer(
      crypto::test::ring({crypto::test::key("data-1", crypto::KeyUse::data, crypto::KeyState::primary, 1),
                          crypto::test::key("fp-1", crypto::KeyUse::fingerprint, crypto::KeyState::primary, 2)}),
      store);
  std::string token, pan;
  int checked = 0;
  while (reported >> token >> pan) {
    auto back = tokenizer.detokenize("acme", token);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back.value(), pan);
    ++checked;
  }
  EXPECT_GE(checked, 50);
  EXPECT_GE(store->count().value(), checked);  // a row may be durable and not yet reported
}

}  // namespace
}  // namespace paygate::test
