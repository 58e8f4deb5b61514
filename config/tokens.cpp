// token_profiles and vault: how tokens look and where vault tokens live.
#include "config/internal/sections.h"

#include <array>

namespace paygate::config::internal {
namespace {

constexpr std::array<std::pair<std::string_view, tokens::TokenKind>, 2> token_kinds{{
    {"vault", tokens::TokenKind::vault},
    {"fpe", tokens::TokenKind::fpe},
}};

constexpr std::array<std::pair<std::string_view, VaultConfig::Store>, 2> vault_stores{{
    {"sqlite", VaultConfig::Store::sqlite},
    {"postgresql", VaultConfig::Store::postgresql},
}};

}  // namespace

tokens::TokenProfile read_token_profile(const std::string& name, const YAML::Node& node,
                                        const std::string& path, Context& ctx) {
  tokens::TokenProfile p;
  p.name = name;
  MapReader r(node, path, ctx);
  r.choice<tokens::TokenKind>("kind", p.kind, token_kinds, Presence::required);
  std::uint32_t front = 6, back = 4, min = 12, max = 19;
  r.count("keep_front", front, 0, 8);
  r.count("keep_back", back, 0, 4);
  r.count("min_length", min, 12, 19);
  r.count("max_length", max, 12, 19);
  r.boolean("allow_luhn_invalid", p.allow_luhn_invalid);
  p.keep_front = static_cast<int>(front);
  p.keep_back = static_cast<int>(back);
  p.min_length = static_cast<int>(min);
  p.max_length = static_cast<int>(max);
  if (auto valid = p.validate(); !valid && r.valid()) {
    const std::string& reason = valid.error().reason;
    const char* key = reason.rfind("keep_front", 0) == 0  ? "keep_front"
                      : reason.rfind("keep_back", 0) == 0 ? "keep_back"
                      : reason.rfind("fpe", 0) == 0       ? "allow_luhn_invalid"
                                                          : "min_length";
    r.error_at(key, reason);
  }
  r.finish();
  return p;
}

VaultConfig read_vault(const YAML::Node& node, Context& ctx) {
  VaultConfig v;
  MapReader r(node, "vault", ctx);
  if (r.choice<VaultConfig::Store>("store", v.store, vault_stores, Presence::required)) {
    if (v.store == VaultConfig::Store::sqlite) {
      std::string path;
      if (r.string("path", path, Presence::required)) {
        v.path =
            std::filesystem::path(path).is_relative() ? ctx.base_dir / path : std::filesystem::path(path);
        v.path = v.path.lexically_normal();
        if (!std::filesystem::is_directory(v.path.parent_path())) {
          r.error_at("path", "folder does not exist (" + v.path.parent_path().string() + ")");
        }
      }
      r.size("max_size", v.max_size, 64 * 1024, std::uint64_t{1} << 50);
    } else {
      // The DSN may hold a password: it comes from the environment, never from this file.
      r.string("dsn_env", v.dsn_env, Presence::required);
      r.count("connections", v.connections, 1, 256);
      // TLS to PostgreSQL is chosen here, whatever the DSN says: verify-full with the
      // server's CA, or an explicit disable (loopback). Unset is allowed, with a warning.
      if (auto tls = r.mapping("tls")) {
        MapReader t(*tls, "vault.tls", ctx);
        static constexpr std::pair<std::string_view, tokens::StoreOptions::PgTls> modes[] = {
            {"verify-full", tokens::StoreOptions::PgTls::verify_full}, {"disable", tokens::StoreOptions::PgTls::disable}};
        t.choice<tokens::StoreOptions::PgTls>("mode", v.tls, modes, Presence::required);
        const bool needs_ca = v.tls == tokens::StoreOptions::PgTls::verify_full;
        t.file("ca", v.tls_ca, FileRule::trusted, needs_ca ? Presence::required : Presence::optional);
        if (!needs_ca && !v.tls_ca.empty()) t.error_at("ca", "only with mode verify-full");
        t.finish();
      }
    }
  }
  r.count("workers", v.workers, 1, 256);
  r.count("queue_limit", v.queue_limit, 1, 1'000'000);
  r.duration("idempotency_window", v.idempotency_window, Duration{1000}, Duration{7 * 24 * 3600 * 1000});
  r.count("transaction_retention_days", v.transaction_retention_days, 1, 3650);
  r.count("token_cache", v.token_cache, 0, 10'000'000);
  r.finish();
  return v;
}

}  // namespace paygate::config::internal
