#include "gateway/token_setup.h"

#include "tokens/store/open_store.h"

namespace paygate::gateway {

crypto::Result<TokenSetup> open_token_service(const config::Config& config) {
  tokens::OpenedStore store;
  if (config.keyring) {  // without keys no token can be made, and the store is not opened
    auto opened = tokens::open_store(config.vault.store_options());
    if (!opened) return opened.error();
    store = std::move(opened).value();
  }
  return TokenSetup{std::make_unique<tokens::TokenService>(config.token_profiles, config.keyring, std::move(store.vault),
                                                                config.vault.token_cache),
                    std::move(store.records)};
}

}  // namespace paygate::gateway
