// Vault tokens over both stores: SQLite always, PostgreSQL when the test environment
// started a server (tests/support/postgres.h does, in the postgres test binary).
#include "tokens/vault_tokenizer.h"
#include "tokens/token_service.h"

#include "tests/support/e2e.h"
#include "tokens/store/open_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "card/luhn.h"
#include "tests/crypto/test_keys.h"
#include "tests/support/process.h"
#include "tests/tokens/vault_store_fixture.h"
#include "tokens/store/sqlite_vault_store.h"

namespace paygate::tokens {
using namespace paygate::crypto;
namespace {

using crypto::test::key;
using crypto::test::ring;

std::shared_ptr<const KeyRing> keys_v1() {
  return ring({key("data-1", KeyUse::data, KeyState::primary, 1),
               key("fp-1", KeyUse::fingerprint, KeyState::primary, 2)});
}

TEST_P(VaultStoreTest, TokensKeepFrontAndBackAreNeverLuhnValidAndRoundTrip) {
  VaultTokenizer vault(keys_v1(), store());
  TokenProfile profile;
  const std::string pan = "4111111111111111";
  auto token = vault.tokenize("acme", pan, profile);
  ASSERT_TRUE(token) << token.error().to_string();
  const std::string& t = token.value();
  EXPECT_EQ(t.size(), 16u);
  EXPECT_EQ(t.substr(0, 6), "411111");
  EXPECT_EQ(t.substr(12), "1111");
  EXPECT_NE(card::luhn_residue(t), 0);
  EXPECT_EQ(vault.detokenize("acme", t).value(), pan);
  // The row holds no PAN in clear.
  auto row = store()->find_by_token(t).value();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->pan_envelope.find(pan), std::string::npos);
  EXPECT_EQ(row->pan_envelope.rfind("pg1.data-1.", 0), 0u);
  EXPECT_EQ(row->fingerprint_key_id, "fp-1");
}

TEST_P(VaultStoreTest, ConvergentPerMerchantDistinctAcrossMerchants) {
  VaultTokenizer vault(keys_v1(), store());
  TokenProfile profile;
  const std::string a1 = vault.tokenize("acme", "5555555555554444", profile).value();
  const std::string a2 = vault.tokenize("acme", "5555555555554444", profile).value();
  const std::string g1 = vault.tokenize("globex", "5555555555554444", profile).value();
  EXPECT_EQ(a1, a2);
  EXPECT_NE(a1, g1);
  // Another merchant's token is "not found", the same answer as a token that never existed.
  EXPECT_EQ(vault.detokenize("globex", a1).error().code, ErrorCode::not_found);
  EXPECT_EQ(vault.detokenize("acme", "5555550000004444").error().code, ErrorCode::not_found);
  EXPECT_EQ(vault.detokenize("globex", a1).error().reason,
            vault.detokenize("acme", "5555550000004444").error().reason);
}

TEST_P(VaultStoreTest, ExpiredTokensAreNotFoundAndTheirPanGetsANewToken) {
  std::int64_t now = 1'000'000;
  VaultTokenizer vault(keys_v1(), store(), [&] { return now; });
  TokenProfile profile;
  const std::string t1 =
      vault.tokenize("acme", "4000056655665556", profile, std::chrono::seconds(60)).value();
  now += 59;
  EXPECT_EQ(vault.detokenize("acme", t1).value(), "4000056655665556");
  now += 1;
  EXPECT_EQ(vault.detokenize("acme", t1).error().code, ErrorCode::not_found);
  const std::string t2 = vault.tokenize("acme", "4000056655665556", profile).value();
  EXPECT_NE(t1, t2);
  EXPECT_EQ(vault.detokenize("acme", t2).value(), "4000056655665556");
}

TEST_P(VaultStoreTest, ErasureRemovesOnlyTheOwnersToken) {
  VaultTokenizer vault(keys_v1(), store());
  TokenProfile profile;
  const std::string t = vault.tokenize("acme", "378282246310005", profile).value();
  EXPECT_FALSE(vault.erase("globex", t).value());
  EXPECT_TRUE(vault.erase("acme", t).value());
  EXPECT_EQ(vault.detokenize("acme", t).error().code, ErrorCode::not_found);
  EXPECT_FALSE(vault.erase("acme", t).value());
}

// The token cache (issue #21): a known card is answered from memory, and what the vault
// forgets — an erasure here, an erasure by another process, an expiry — the cache forgets
// too. The store below counts fingerprint lookups, to show which answers came from memory.
class CountingStore final : public VaultStore {
 public:
  explicit CountingStore(std::shared_ptr<VaultStore> inner) : inner_(std::move(inner)) {}
  std::atomic<int> lookups{0};  // fingerprint lookups
  std::atomic<int> calls{0};    // every call
  crypto::Result<InsertOutcome> insert(const VaultRow& row) override { ++calls;
    return inner_->insert(row); }
  crypto::Result<std::optional<VaultRow>> find_by_token(std::string_view t) override { ++calls;
    return inner_->find_by_token(t); }
  crypto::Result<std::optional<VaultRow>> find_by_fingerprint(std::string_view m, std::string_view f) override {
    ++lookups;
    ++calls;
    return inner_->find_by_fingerprint(m, f);
  }
  crypto::Status touch(std::string_view t, std::int64_t now) override { ++calls;
    return inner_->touch(t, now); }
  crypto::Result<bool> erase(std::string_view m, std::string_view t) override { ++calls;
    return inner_->erase(m, t); }
  crypto::Result<std::vector<VaultRow>> stale_rows(std::string_view d, std::string_view f, std::string_view a,
                                                   std::size_t l) override {
    ++calls;
    return inner_->stale_rows(d, f, a, l);
  }
  crypto::Result<bool> rewrap(const VaultRow& u, std::string_view e) override { ++calls;
    return inner_->rewrap(u, e); }
  crypto::Result<std::int64_t> count() override { ++calls;
    return inner_->count(); }
  crypto::Result<std::int64_t> deletions() override { ++calls;
    return inner_->deletions(); }
  crypto::Status check_consistency() override { ++calls;
    return inner_->check_consistency(); }

 private:
  std::shared_ptr<VaultStore> inner_;
};

TEST_P(VaultStoreTest, AKnownCardIsAnsweredFromTheCachePerMerchant) {
  auto counting = std::make_shared<CountingStore>(store());
  VaultTokenizer vault(keys_v1(), counting, {}, 64);
  TokenProfile profile;
  KeysUsed used;
  const std::string t = vault.tokenize("acme", "4111111111111111", profile).value();
  const int after_first = counting->lookups.load();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(vault.tokenize("acme", "4111111111111111", profile, std::nullopt, &used).value(), t);
  EXPECT_EQ(counting->lookups.load(), after_first);  // from memory
  EXPECT_EQ(used.ids(), (std::vector<std::string>{"fp-1"}));  // the key that made the fingerprint is still reported
  // Another merchant is another entry: its own token, from the vault.
  const std::string g = vault.tokenize("globex", "4111111111111111", profile).value();
  EXPECT_NE(g, t);
  EXPECT_GT(counting->lookups.load(), after_first);
  // Without a cache, every tokenization asks the vault.
  VaultTokenizer uncached(keys_v1(), counting);
  const int before = counting->lookups.load();
  EXPECT_EQ(uncached.tokenize("acme", "4111111111111111", profile).value(), t);
  EXPECT_EQ(counting->lookups.load(), before + 1);
}

TEST_P(VaultStoreTest, TheCacheForgetsWhatTheVaultForgets) {
  std::int64_t now = 2'000'000;
  VaultTokenizer vault(keys_v1(), store(), [&] { return now; }, 64);
  TokenProfile profile;
  // Erased here: forgotten at once.
  const std::string t1 = vault.tokenize("acme", "5555555555554444", profile).value();
  ASSERT_TRUE(vault.erase("acme", t1).value());
  const std::string t2 = vault.tokenize("acme", "5555555555554444", profile).value();
  EXPECT_NE(t2, t1);
  EXPECT_EQ(vault.detokenize("acme", t2).value(), "5555555555554444");
  // Erased by another process (its own handle on the vault, as the CLI has): forgotten
  // within the recheck interval.
  VaultTokenizer elsewhere(keys_v1(), another_store());
  ASSERT_TRUE(elsewhere.erase("acme", t2).value());
  std::this_thread::sleep_for(VaultTokenizer::cache_recheck + std::chrono::milliseconds(100));
  const std::string t3 = vault.tokenize("acme", "5555555555554444", profile).value();
  EXPECT_NE(t3, t2);
  EXPECT_EQ(vault.detokenize("acme", t3).value(), "5555555555554444");
  // Expired: never answered from memory past its expiry.
  const std::string e1 = vault.tokenize("acme", "4000056655665556", profile, std::chrono::seconds(60)).value();
  EXPECT_EQ(vault.tokenize("acme", "4000056655665556", profile, std::chrono::seconds(60)).value(), e1);
  now += 60;
  EXPECT_NE(vault.tokenize("acme", "4000056655665556", profile, std::chrono::seconds(60)).value(), e1);
}

// What a network thread may ask (issue #21: the request step stays there for a known
// card): the token from memory or nothing, and the store is never called either way —
// not for a miss, not for the hourly touch, not for the erasure count's re-read.
TEST_P(VaultStoreTest, FromMemoryAloneAKnownCardOrNothingAndTheStoreIsNeverAsked) {
  std::int64_t now = 3'000'000;
  auto counting = std::make_shared<CountingStore>(store());
  VaultTokenizer vault(keys_v1(), counting, [&] { return now; }, 64);
  TokenProfile profile;
  const std::string pan = "4111111111111111";
  EXPECT_FALSE(vault.cached_token("acme", pan, profile));  // never seen
  EXPECT_EQ(counting->calls.load(), 0);
  const std::string t = vault.tokenize("acme", pan, profile).value();
  const int after_tokenize = counting->calls.load();
  KeysUsed used;
  EXPECT_EQ(vault.cached_token("acme", pan, profile, &used), t);
  EXPECT_EQ(used.ids(), (std::vector<std::string>{"fp-1"}));
  EXPECT_FALSE(vault.cached_token("globex", pan, profile));              // per merchant
  EXPECT_FALSE(vault.cached_token("acme", "4111111111111112", profile));  // not a card number
  EXPECT_EQ(counting->calls.load(), after_tokenize);

  // The row's hourly touch is due: that is a write, so not from memory.
  now += 3600;
  EXPECT_FALSE(vault.cached_token("acme", pan, profile));
  EXPECT_EQ(counting->calls.load(), after_tokenize);
  EXPECT_EQ(vault.tokenize("acme", pan, profile).value(), t);  // touches
  EXPECT_EQ(vault.cached_token("acme", pan, profile), t);

  // Erased by another process, then the erasure count due for a re-read: nothing from
  // memory until tokenize() has re-read it, and then the erased token is gone.
  VaultTokenizer elsewhere(keys_v1(), another_store());
  ASSERT_TRUE(elsewhere.erase("acme", t).value());
  std::this_thread::sleep_for(VaultTokenizer::cache_recheck + std::chrono::milliseconds(100));
  const int before = counting->calls.load();
  EXPECT_FALSE(vault.cached_token("acme", pan, profile));
  EXPECT_EQ(counting->calls.load(), before);
  const std::string t2 = vault.tokenize("acme", pan, profile).value();
  EXPECT_NE(t2, t);
  EXPECT_EQ(vault.cached_token("acme", pan, profile), t2);

  // Erased here: gone at once.
  ASSERT_TRUE(vault.erase("acme", t2).value());
  EXPECT_FALSE(vault.cached_token("acme", pan, profile));
  // Without a cache there is never an answer from memory.
  VaultTokenizer uncached(keys_v1(), counting, [&] { return now; });
  (void)uncached.tokenize("acme", pan, profile).value();
  EXPECT_FALSE(uncached.cached_token("acme", pan, profile));
}

// The token service's memory-only calls: FPE is pure computation and always answers
// (errors included); a vault profile answers a cached card and nothing else; a vault
// detokenization never answers from memory (PANs are never cached).
TEST_P(VaultStoreTest, TheServiceAnswersFromMemoryOnlyWhatNeedsNoVault) {
  TokenProfile vault_profile;
  vault_profile.name = "vault";
  TokenProfile fpe_profile;
  fpe_profile.name = "fpe";
  fpe_profile.kind = TokenKind::fpe;
  fpe_profile.keep_front = 6;
  fpe_profile.keep_back = 4;
  auto keys = ring({key("data-1", KeyUse::data, KeyState::primary, 1),
                    key("fp-1", KeyUse::fingerprint, KeyState::primary, 2), key("fpe-1", KeyUse::fpe, KeyState::primary, 3, 1)});
  auto counting = std::make_shared<CountingStore>(store());
  TokenService service({vault_profile, fpe_profile}, keys, counting, 64);
  const std::string pan = "5555555555554444";

  auto fpe = service.tokenize_in_memory("acme", "fpe", pan);
  ASSERT_TRUE(fpe && *fpe);
  EXPECT_EQ(fpe->value(), service.tokenize("acme", "fpe", pan).value());
  auto back = service.detokenize_in_memory("acme", "fpe", fpe->value());
  ASSERT_TRUE(back && *back);
  EXPECT_EQ(back->value(), pan);
  auto bad = service.tokenize_in_memory("acme", "fpe", "55555555");  // an error is an answer too
  ASSERT_TRUE(bad);
  EXPECT_FALSE(*bad);
  EXPECT_EQ(counting->calls.load(), 0);

  EXPECT_FALSE(service.tokenize_in_memory("acme", "vault", pan));
  const std::string t = service.tokenize("acme", "vault", pan).value();
  const int calls = counting->calls.load();
  auto cached = service.tokenize_in_memory("acme", "vault", pan);
  ASSERT_TRUE(cached && *cached);
  EXPECT_EQ(cached->value(), t);
  EXPECT_FALSE(service.detokenize_in_memory("acme", "vault", t));
  EXPECT_EQ(counting->calls.load(), calls);
}

TEST(TokenCache, IsBoundedAndKeepsNothingReadBeforeARemoval) {
  TokenCache cache(16);
  for (int i = 0; i < 100; ++i) cache.put("acme", "fp" + std::to_string(i), {"tok" + std::to_string(i), "fp-1", {}, 0}, cache.generation());
  EXPECT_LE(cache.size(), 16u);
  EXPECT_GT(cache.size(), 0u);
  // A row read before an erasure must not be put back after it.
  const auto generation = cache.generation();
  cache.forget_token("tok-erased");
  cache.put("acme", "fp-late", {"tok-erased", "fp-1", {}, 0}, generation);
  EXPECT_FALSE(cache.find("acme", "fp-late", 0));
  // A moved deletion count empties it; the first observation only records the count.
  cache.put("acme", "fp-a", {"tok-a", "fp-1", {}, 0}, cache.generation());
  EXPECT_FALSE(cache.observe_deletions(7));
  EXPECT_TRUE(cache.find("acme", "fp-a", 0));
  EXPECT_TRUE(cache.observe_deletions(8));
  EXPECT_FALSE(cache.find("acme", "fp-a", 0));
  EXPECT_EQ(cache.size(), 0u);

  // find_if_checked answers only while the deletion count is fresh, and claims nothing.
  using std::chrono::milliseconds;
  const auto t0 = std::chrono::steady_clock::now();
  TokenCache fresh(16);
  fresh.put("acme", "fp-b", {"tok-b", "fp-1", {}, 0}, fresh.generation());
  EXPECT_FALSE(fresh.find_if_checked("acme", "fp-b", 0, t0, milliseconds(1000)));  // never read
  ASSERT_TRUE(fresh.deletions_due(t0, milliseconds(1000)));
  fresh.observe_deletions(3);
  EXPECT_TRUE(fresh.find_if_checked("acme", "fp-b", 0, t0 + milliseconds(999), milliseconds(1000)));
  EXPECT_FALSE(fresh.find_if_checked("acme", "fp-b", 0, t0 + milliseconds(1000), milliseconds(1000)));
  EXPECT_TRUE(fresh.deletions_due(t0 + milliseconds(1000), milliseconds(1000)));  // still due
  // Off: holds nothing.
  TokenCache off(0);
  off.put("acme", "fp", {"tok", "fp-1", {}, 0}, off.generation());
  EXPECT_FALSE(off.find("acme", "fp", 0));
}

TEST_P(VaultStoreTest, RejectsBadPansBeforeWritingAnything) {
  VaultTokenizer vault(keys_v1(), store());
  TokenProfile profile;
  for (const char* bad :
       {"4111111111111112", "41111111111", "41111111111111111111", "4111-1111-1111-1111", ""}) {
    auto t = vault.tokenize("acme", bad, profile);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_EQ(store()->count().value(), 0);
  profile.allow_luhn_invalid = true;  // test traffic
  EXPECT_TRUE(vault.tokenize("acme", "4111111111111112", profile));
}

TEST_P(VaultStoreTest, ManyThreadsTokenizingOnePanGetOneToken) {
  auto keys = keys_v1();
  TokenProfile profile;
  std::vector<std::string> tokens(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    threads.emplace_back([&, i] {
      VaultTokenizer vault(keys, store());
      for (int round = 0; round < 5; ++round) {
        auto t = vault.tokenize("acme", "6011111111111117", profile);
        if (t) tokens[i] = t.value();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(tokens.begin(), tokens.end()).size(), 1u);
  EXPECT_FALSE(tokens[0].empty());
  EXPECT_EQ(store()->count().value(), 1);
}

TEST_P(VaultStoreTest, RotationStoryRewrapThenRetireAndEveryTokenStillDetokenizes) {
  TokenProfile profile;
  std::vector<std::pair<std::string, std::string>> issued;  // token, pan (25 distinct PANs)
  {
    VaultTokenizer v1(keys_v1(), store());
    for (int i = 0; i < 25; ++i) {
      std::string pan = "4000" + std::to_string(100000 + i) + "000000";
      pan[15] = card::luhn_digit_for(pan, 15, 0);
      issued.emplace_back(v1.tokenize("acme", pan, profile).value(), pan);
    }
  }
  // Promote new data and fingerprint keys; the old ones stay active.
  auto v2_keys = ring({key("data-1", KeyUse::data, KeyState::active, 1),
                       key("data-2", KeyUse::data, KeyState::primary, 3),
                       key("fp-1", KeyUse::fingerprint, KeyState::active, 2),
                       key("fp-2", KeyUse::fingerprint, KeyState::primary, 4)});
  VaultTokenizer v2(v2_keys, store());
  // Before the rewrap: old rows still found by their old fingerprints (same token back).
  EXPECT_EQ(v2.tokenize("acme", issued[0].second, profile).value(), issued[0].first);
  // Rewrap in small batches, stopping halfway once to show it resumes.
  std::size_t rewrapped = 0;
  rewrapped += v2.rewrap_batch("", 10).value().rewrapped;  // then "interrupted"
  for (std::string after = "";;) {  // a fresh run starts from the beginning: done rows are skipped
    auto batch = v2.rewrap_batch(after, 7).value();
    rewrapped += batch.rewrapped;
    EXPECT_EQ(batch.failed, 0u);
    after = batch.last_token;
    if (batch.done) break;
  }
  EXPECT_EQ(rewrapped, 25u);
  EXPECT_TRUE(v2.rewrap_batch("", 100).value().done);
  EXPECT_EQ(v2.rewrap_batch("", 100).value().rewrapped, 0u);
  // Retire the old keys: every token still detokenizes, and converges on the same token.
  auto v3_keys = ring({key("data-1", KeyUse::data, KeyState::retired, 1),
                       key("data-2", KeyUse::data, KeyState::primary, 3),
                       key("fp-1", KeyUse::fingerprint, KeyState::retired, 2),
                       key("fp-2", KeyUse::fingerprint, KeyState::primary, 4)});
  VaultTokenizer v3(v3_keys, store());
  for (const auto& [token, pan] : issued) {
    EXPECT_EQ(v3.detokenize("acme", token).value(), pan);
    EXPECT_EQ(v3.tokenize("acme", pan, profile).value(), token);
  }
  EXPECT_TRUE(store()->check_consistency());
}

TEST_P(VaultStoreTest, RetiredDataKeyWithoutRewrapIsAnExplicitError) {
  TokenProfile profile;
  const std::string t =
      VaultTokenizer(keys_v1(), store()).tokenize("acme", "4111111111111111", profile).value();
  auto retired = ring({key("data-1", KeyUse::data, KeyState::retired, 1),
                       key("data-2", KeyUse::data, KeyState::primary, 3),
                       key("fp-1", KeyUse::fingerprint, KeyState::primary, 2)});
  EXPECT_EQ(VaultTokenizer(retired, store()).detokenize("acme", t).error().code, ErrorCode::retired_key);
}

INSTANTIATE_TEST_SUITE_P(Stores, VaultStoreTest, ::testing::ValuesIn(vault_store_kinds()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(SqliteVault, AReadOnlyDatabaseIsAClearErrorAndNothingHalfWritten) {
  auto dir = paygate::test::make_temp_dir("vault-ro");
  const std::string path = (dir / "vault.db").string();
  {
    auto store = std::shared_ptr<VaultStore>(SqliteVaultStore::open(path).value());
    ASSERT_TRUE(VaultTokenizer(keys_v1(), store).tokenize("acme", "4111111111111111", TokenProfile{}));
  }
  // Root ignores file modes, so open the file read-only through SQLite itself.
  auto store = SqliteVaultStore::open("file:" + path + "?mode=ro");
  if (!store) {
    EXPECT_NE(store.error().reason.find("vault"), std::string::npos) << store.error().to_string();
    return;
  }
  auto shared = std::shared_ptr<VaultStore>(std::move(store).value());
  VaultTokenizer vault(keys_v1(), shared);
  auto t = vault.tokenize("acme", "5555555555554444", TokenProfile{});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::unavailable);
  EXPECT_EQ(t.error().reason.find("5555555555554444"), std::string::npos);
  EXPECT_EQ(shared->count().value(), 1);
  EXPECT_TRUE(vault.detokenize("acme", vault.tokenize("acme", "4111111111111111", TokenProfile{}).value()));
}

// TLS to PostgreSQL as the config chooses it, whatever the DSN says: verify-full needs
// the server's certificate to chain to the configured CA (libpq's default "prefer" took
// any server, or none); disable is explicit.
TEST(PostgresVault, TlsIsVerifiedAsConfiguredAndTheDsnCannotWeakenIt) {
  auto& server = paygate::test::PostgresServer::instance();
  const std::string dsn = server.create_database() + " sslmode=prefer";
  ::setenv("PAYGATE_TEST_VAULT_DSN", dsn.c_str(), 1);
  StoreOptions options;
  options.kind = StoreOptions::Kind::postgresql;
  options.dsn_env = "PAYGATE_TEST_VAULT_DSN";
  options.connections = 1;
  options.tls = StoreOptions::PgTls::verify_full;
  options.ca = paygate::test::certs_dir() / "ca.pem";
  auto verified = open_store(options);
  ASSERT_TRUE(verified) << verified.error().to_string();
  // The wrong CA: refused, though the DSN asked for prefer.
  options.ca = paygate::test::certs_dir() / "processor-ca.pem";
  auto wrong = open_store(options);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().reason.find("certificate"), std::string::npos) << wrong.error().to_string();
  options.tls = StoreOptions::PgTls::disable;
  options.ca.clear();
  EXPECT_TRUE(open_store(options));
}

// The vault file and its WAL companions are 0600 even under a permissive umask (they were
// 0644), and a vault file that others may read is refused at open.
TEST(SqliteVault, FilesArePrivateAndALooseVaultFileIsRefused) {
  auto dir = paygate::test::make_temp_dir("vault-modes");
  const std::string path = (dir / "vault.db").string();
  const mode_t old_umask = ::umask(022);
  {
    auto store = std::shared_ptr<VaultStore>(SqliteVaultStore::open(path).value());
    ASSERT_TRUE(VaultTokenizer(keys_v1(), store).tokenize("acme", "4111111111111111", TokenProfile{}));
    for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
      struct stat st {};
      ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
      EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
    }
  }
  ::umask(old_umask);
  ::chmod(path.c_str(), 0644);
  auto refused = SqliteVaultStore::open(path);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().reason.find("chmod 600"), std::string::npos) << refused.error().to_string();
  EXPECT_NE(refused.error().reason.find("0644"), std::string::npos) << refused.error().to_string();
}

TEST(SqliteVault, AFullDatabaseIsAClearErrorAndWhatWasStoredStaysReadable) {
  auto dir = paygate::test::make_temp_dir("vault-full");
  auto store =
      std::shared_ptr<VaultStore>(SqliteVaultStore::open((dir / "vault.db").string(), 64 * 1024).value());
  VaultTokenizer vault(keys_v1(), store);
  std::vector<std::pair<std::string, std::string>> stored;
  Error full{ErrorCode::internal, ""};
  for (std::uint64_t i = 0; i < 5000; ++i) {
    std::string pan = "4" + std::to_string(100000000000000ull + i * 7919);
    pan[15] = card::luhn_digit_for(pan, 15, 0);
    auto t = vault.tokenize("acme", pan, TokenProfile{});
    if (!t) {
      full = t.error();
      break;
    }
    stored.emplace_back(t.value(), pan);
  }
  EXPECT_EQ(full.code, ErrorCode::unavailable);
  EXPECT_NE(full.reason.find("full"), std::string::npos) << full.reason;
  ASSERT_GT(stored.size(), 10u);
  EXPECT_EQ(store->count().value(), static_cast<std::int64_t>(stored.size()));  // nothing half-written
  for (const auto& [token, pan] : stored) EXPECT_EQ(vault.detokenize("acme", token).value(), pan);
  EXPECT_TRUE(store->check_consistency());
}

TEST(SqliteVault, AMissingDirectoryIsAClearError) {
  auto store = SqliteVaultStore::open("/nonexistent/dir/vault.db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().reason.find("cannot open vault"), std::string::npos);
}

}  // namespace
}  // namespace paygate::tokens
