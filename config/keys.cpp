// keys: the keyring file, loaded with its key files (config/keyring_loader.h).
#include "config/internal/sections.h"

#include "config/keyring_loader.h"

namespace paygate::config::internal {

void read_keys(const YAML::Node& node, Config& config, Context& ctx) {
  MapReader k(node, "keys", ctx);
  if (k.file("keyring", config.keyring_file, FileRule::trusted, Presence::required)) {
    auto loaded = load_keyring(config.keyring_file);
    for (auto& e : loaded.errors) ctx.diagnostics.add_foreign(std::move(e));
    config.keyring = loaded.keyring;
  }
  k.finish();
}

}  // namespace paygate::config::internal
