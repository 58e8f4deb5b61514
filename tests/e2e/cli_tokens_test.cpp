// The tokens and keys commands end to end on both stores: tokenize, detokenize, delete,
// the whole rotation story through configuration edits and `keys rewrap`, two processes
// sharing one PostgreSQL vault, and a kill -9 in the middle of tokenizing.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "crypto/tokens/sqlite_vault_store.h"
#include "crypto/tokens/vault_tokenizer.h"
#include "tests/crypto/test_keys.h"
#include "tests/support/e2e.h"
#include "tests/support/postgres.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;

std::string paygate() { return binary("paygate").string(); }

// A configuration folder with its own keyring (dev keys) and a vault of the given kind.
class TokenWorkspace {
 public:
  explicit TokenWorkspace(const std::string& vault_yaml) : dir_(make_temp_dir("tokens-cli")) {
    auto keys = run_command(source_dir().string() + "/certs/make-dev-keys " + paygate() + " " + (dir_ / "keys").string());
    if (keys.exit_code != 0) throw std::runtime_error(keys.output);
    TestConfig settings;
    settings.sim_port = 9443;
    std::string yaml = make_config(settings);
    yaml += "keys: { keyring: keys/keyring.yaml }\n";
    yaml += "token_profiles:\n  cards: { kind: vault }\n  fpe: { kind: fpe }\n";
    yaml += vault_yaml;
    std::ofstream(config()) << yaml;
  }
  std::string config() const { return (dir_ / "paygate.yaml").string(); }
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
                         (ws.dir() / "keys" / (id + ".key")).string() + " 2>/dev/null | sed 's|file: .*/|file: |' >> " +
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
  ws.edit_keyring("state: active\n    file: data-dev-1.key", "state: retired\n    file: data-dev-1.key");
  ws.edit_keyring("state: active\n    file: fp-dev-1.key", "state: retired\n    file: fp-dev-1.key");
  for (const auto& [token, pan] : issued) {
    auto back = ws.tokens("detokenize", "acme", token);
    EXPECT_EQ(back.output, pan + "\n") << back.output;
    EXPECT_EQ(ws.token("acme", pan), token);
  }
  auto list = run_command(paygate() + " keys list --config " + ws.config());
  EXPECT_NE(list.output.find("data-dev-1               data         aes-256-gcm  retired"), std::string::npos) << list.output;
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
  auto store = std::shared_ptr<crypto::VaultStore>(crypto::SqliteVaultStore::open(vault).value());
  ASSERT_TRUE(store->check_consistency());
  crypto::VaultTokenizer tokenizer(
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
