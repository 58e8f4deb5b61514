// Test helper for the crash test: tokenizes fresh random PANs into a SQLite vault in a
// loop, and prints "token pan" for each one only after tokenize() returned (the row is
// durable by then). The test kills it with SIGKILL at a random moment.
//   tokenize_loop VAULT_FILE
#include <cstdio>
#include <random>

#include "card/luhn.h"
#include "tests/crypto/test_keys.h"
#include "tokens/store/sqlite_vault_store.h"
#include "tokens/vault_tokenizer.h"

int main(int argc, char** argv) {
  using namespace paygate::crypto;
  using namespace paygate::tokens;
  if (argc != 2) return 2;
  auto store = SqliteVaultStore::open(argv[1]);
  if (!store) return 1;
  VaultTokenizer vault(test::ring({test::key("data-1", KeyUse::data, KeyState::primary, 1),
                                   test::key("fp-1", KeyUse::fingerprint, KeyState::primary, 2)}),
                       std::shared_ptr<VaultStore>(std::move(store).value()));
  std::mt19937_64 rng(std::random_device{}());
  TokenProfile profile;
  for (;;) {
    std::string pan = "4" + std::to_string(100000000000000ull + rng() % 800000000000000ull);
    pan[15] = paygate::card::luhn_digit_for(pan, 15, 0);
    auto token = vault.tokenize("acme", pan, profile);
    if (!token) return 1;
    std::printf("%s %s\n", token.value().c_str(), pan.c_str());
    std::fflush(stdout);
  }
}
