// paygate tokens tokenize | detokenize | delete, and paygate keys rewrap: the token vault
// and FPE tokens from the command line, for support and testing. Values come on standard
// input (never on the command line, where `ps` and shell history would keep them).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>

#include "cli/ceremony.h"
#include "cli/command.h"
#include "config/loader.h"
#include "crypto/key_wrap.h"
#include "card/detect.h"
#include "card/mask.h"
#include "gateway/audit_setup.h"
#include "gateway/token_setup.h"

namespace paygate::cli {
namespace {

struct Loaded {
  std::shared_ptr<const config::Config> config;
  std::unique_ptr<tokens::TokenService> tokens;
  // Every operator touch of card data or keys is audited; without the log, nothing runs.
  std::unique_ptr<audit::AuditLog> audit;
};

std::optional<Loaded> load(const Args& args, const char* command) {
  auto result = config::load(*args.value("config"));
  if (!result.ok()) {
    for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return std::nullopt;
  }
  auto service = gateway::open_token_service(*result.config);
  if (!service) {
    std::fprintf(stderr, "paygate %s: %s\n", command, service.error().to_string().c_str());
    return std::nullopt;
  }
  auto audit_log = gateway::open_audit_log(*result.config, "operator");
  if (!audit_log) {
    std::fprintf(stderr, "paygate %s: refusing to run without the audit log: %s\n", command,
                 audit_log.error().to_string().c_str());
    return std::nullopt;
  }
  return Loaded{result.config, std::move(service).value().service, std::move(audit_log).value()};
}

std::string read_value() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(text.begin());
  return text;
}

std::optional<std::string> profile_name(const Args& args, const config::Config& config) {
  if (auto p = args.value("profile")) return *p;
  if (config.token_profiles.size() == 1) return config.token_profiles.front().name;
  std::fprintf(stderr, "paygate tokens: --profile is needed (the configuration has %zu token profiles)\n",
               config.token_profiles.size());
  return std::nullopt;
}

int tokens(const Args& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "paygate tokens: expected tokenize, detokenize or delete\n");
    return exit_usage;
  }
  const std::string& action = args.positional[0];
  if (action != "tokenize" && action != "detokenize" && action != "delete") {
    std::fprintf(stderr, "paygate tokens: expected tokenize, detokenize or delete\n");
    return exit_usage;
  }
  auto loaded = load(args, "tokens");
  if (!loaded) return exit_failure;
  const std::string merchant = *args.value("merchant");
  std::string value = read_value();
  audit::AuditEvent event(action == "tokenize" ? "tokenize" : action == "detokenize" ? "detokenize" : "token_delete");
  event.with("source", "operator").with("operator", gateway::operator_identity()).with("merchant", merchant);
  // The record carries the token and the masked PAN, never the PAN.
  auto record = [&](const std::string& token, const std::string& pan, const std::string& result) {
    if (!token.empty()) event.with("token", token);
    if (!pan.empty()) event.with("masked_pan", card::mask(pan));
    event.with("result", result);
    auto recorded = loaded->audit->record(std::move(event));
    if (!recorded.ok()) std::fprintf(stderr, "paygate tokens: audit: %s\n", recorded.error().to_string().c_str());
    return recorded.ok();
  };
  if (action == "delete") {
    auto erased = loaded->tokens->erase(merchant, value);
    const std::string result = !erased ? std::string(crypto::to_string(erased.error().code)) : erased.value() ? "deleted" : "not_found";
    if (!record(value, "", result)) return exit_failure;
    if (!erased) {
      std::fprintf(stderr, "paygate tokens: %s\n", erased.error().to_string().c_str());
      return exit_failure;
    }
    std::printf("%s\n", erased.value() ? "deleted" : "not found");
    return erased.value() ? exit_ok : exit_failure;
  }
  auto profile = profile_name(args, *loaded->config);
  if (!profile) return exit_usage;
  event.with("profile", *profile);
  const bool tokenizing = action == "tokenize";
  tokens::KeysUsed used;
  auto out = tokenizing ? loaded->tokens->tokenize(merchant, *profile, value, &used)
                        : loaded->tokens->detokenize(merchant, *profile, value, &used);
  boost::json::array key_ids;
  for (const auto& id : used.ids()) key_ids.emplace_back(id);
  event.with("key_ids", std::move(key_ids));
  const std::string result = out ? "ok" : std::string(crypto::to_string(out.error().code));
  const std::string token = tokenizing ? (out ? out.value() : "") : value;
  const std::string pan = tokenizing ? (out ? value : "") : (out ? out.value() : "");
  const bool audited = record(token, pan, result);
  std::fill(value.begin(), value.end(), '\0');
  if (!audited) return exit_failure;  // nothing is revealed that the log does not hold
  if (!out) {
    std::fprintf(stderr, "paygate tokens: %s\n", out.error().to_string().c_str());
    return exit_failure;
  }
  std::printf("%s\n", out.value().c_str());
  return exit_ok;
}

int rewrap(const Args& args) {
  auto loaded = load(args, "keys rewrap");
  if (!loaded) return exit_failure;
  tokens::VaultTokenizer* vault = loaded->tokens->vault();
  if (!vault) {
    std::fprintf(stderr, "paygate keys rewrap: the configuration has no vault\n");
    return exit_failure;
  }
  const std::size_t batch_size = std::stoul(args.value("batch").value_or("500"));
  auto total = vault->store().count();
  const std::string who = gateway::operator_identity();
  auto audit_record = [&](audit::AuditEvent event) {
    auto recorded = loaded->audit->record(std::move(event.with("operator", who)));
    if (!recorded.ok()) std::fprintf(stderr, "\npaygate keys rewrap: audit: %s\n", recorded.error().to_string().c_str());
    return recorded.ok();
  };
  const crypto::Key* data_key = loaded->config->keyring->primary(crypto::KeyUse::data);
  const crypto::Key* fp_key = loaded->config->keyring->primary(crypto::KeyUse::fingerprint);
  if (!audit_record(audit::AuditEvent("rewrap_start")
                        .with("rows", total ? static_cast<std::int64_t>(total.value()) : -1)
                        .with("data_kid", data_key ? data_key->id() : "")
                        .with("fingerprint_kid", fp_key ? fp_key->id() : ""))) {
    return exit_failure;
  }
  const bool bar = ::isatty(STDERR_FILENO) != 0;
  std::size_t rewrapped = 0, skipped = 0, failed = 0, seen = 0;
  std::string after;
  for (;;) {
    auto batch = vault->rewrap_batch(after, batch_size);
    if (!batch) {
      std::fprintf(stderr, "\npaygate keys rewrap: %s (run it again to resume)\n", batch.error().to_string().c_str());
      (void)audit_record(audit::AuditEvent("rewrap_end").with("result", std::string(crypto::to_string(batch.error().code)))
                             .with("rewrapped", rewrapped).with("resume_after", after));
      return exit_failure;
    }
    rewrapped += batch.value().rewrapped;
    skipped += batch.value().skipped;
    failed += batch.value().failed;
    seen += batch.value().rewrapped + batch.value().skipped + batch.value().failed;
    after = batch.value().last_token;
    if (bar && total && total.value() > 0) {
      const double share = std::min(1.0, static_cast<double>(seen) / static_cast<double>(total.value()));
      const int filled = static_cast<int>(share * 40);
      std::fprintf(stderr, "\r[%-40s] %3d%%  %zu rewrapped", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   static_cast<int>(share * 100), rewrapped);
    }
    if (!audit_record(audit::AuditEvent("rewrap_progress")
                          .with("seen", seen)
                          .with("rewrapped", rewrapped)
                          .with("skipped", skipped)
                          .with("failed", failed))) {
      return exit_failure;
    }
    if (batch.value().done) break;
  }
  if (!audit_record(audit::AuditEvent("rewrap_end")
                        .with("result", failed == 0 ? "ok" : "failures")
                        .with("rewrapped", rewrapped)
                        .with("skipped", skipped)
                        .with("failed", failed))) {
    return exit_failure;
  }
  if (bar) std::fprintf(stderr, "\n");
  std::printf("rewrapped %zu, skipped %zu (changed meanwhile), failed %zu\n", rewrapped, skipped, failed);
  return failed == 0 ? exit_ok : exit_failure;
}

}  // namespace

Command tokens_command() {
  return {{"tokens",
           "Tokenize (PAN on stdin), detokenize or delete (token on stdin) for one merchant.",
           "tokenize|detokenize|delete",
           {{"config", "FILE", "configuration (keyring, token profiles, vault)", true},
            {"merchant", "ID", "the merchant the token belongs to", true},
            {"profile", "NAME", "token profile (default: the only one)", false}}},
          tokens};
}

// paygate keys destroy: the end of a retired key. The operator names the key and its
// material file; the file must hold that key (same check value), is overwritten and
// removed, and the keyring entry is replaced by a tombstone (printed here) that keeps the
// id and FPE slot from ever being reused.
int destroy(const Args& args) {
  auto loaded = load(args, "keys destroy");
  if (!loaded) return exit_failure;
  const std::string id = *args.value("id");
  const crypto::Key* key = nullptr;
  for (const auto& k : loaded->config->keyring->keys()) {
    if (k.id() == id) key = &k;
  }
  if (!key) {
    std::fprintf(stderr, "paygate keys destroy: no key %s in the keyring\n", id.c_str());
    return exit_failure;
  }
  if (key->state() != crypto::KeyState::retired) {
    std::fprintf(stderr, "paygate keys destroy: key %s is %s: retire it first (after keys rewrap, or once its tokens "
                         "have expired)\n", id.c_str(), std::string(crypto::to_string(key->state())).c_str());
    return exit_failure;
  }
  const std::string file = *args.value("file");
  // The file holds the key: its wrapped form (the check value it records), or its material.
  std::string on_disk_kcv;
  if (!key->kek_id().empty()) {
    auto wrapped = crypto::read_wrapped_key_file(file);
    if (!wrapped) {
      std::fprintf(stderr, "paygate keys destroy: %s\n", wrapped.error().reason.c_str());
      return exit_failure;
    }
    on_disk_kcv = wrapped.value().key_check_value;
  } else {
    auto material = crypto::read_key_material({crypto::KeySource::Kind::file, file}, key->algorithm());
    if (!material) {
      std::fprintf(stderr, "paygate keys destroy: %s\n", material.error().to_string().c_str());
      return exit_failure;
    }
    auto plain = crypto::Key::create(id, key->use(), key->algorithm(), key->state(), key->fpe_slot(),
                                     std::move(material).value());
    if (plain) on_disk_kcv = plain.value().check_value();
  }
  if (on_disk_kcv != key->check_value()) {
    std::fprintf(stderr, "paygate keys destroy: %s does not hold key %s (check values differ); nothing destroyed\n",
                 file.c_str(), id.c_str());
    return exit_failure;
  }
  audit::AuditEvent event("key_destroyed");
  event.with("key_id", id)
      .with("use", std::string(crypto::to_string(key->use())))
      .with("kcv", key->check_value())
      .with("operator", gateway::operator_identity());
  if (key->fpe_slot()) event.with("fpe_slot", static_cast<std::int64_t>(key->fpe_slot()));
  if (auto recorded = loaded->audit->record(std::move(event)); !recorded.ok()) {
    std::fprintf(stderr, "paygate keys destroy: audit: %s; nothing destroyed\n", recorded.error().to_string().c_str());
    return exit_failure;
  }
  if (auto problem = shred_file(file); !problem.empty()) {
    std::fprintf(stderr, "paygate keys destroy: %s\n", problem.c_str());
    return exit_failure;
  }
  std::fprintf(stderr, "destroyed %s (%s overwritten and removed); replace its keyring entry with:\n", id.c_str(),
               file.c_str());
  std::printf("destroyed:\n  - id: %s\n    use: %s\n", id.c_str(), std::string(crypto::to_string(key->use())).c_str());
  if (key->fpe_slot()) std::printf("    fpe_slot: %d\n", key->fpe_slot());
  return exit_ok;
}

Command keys_destroy_command() {
  return {{"keys destroy",
           "Destroy a retired key: check its material file against the keyring, overwrite and remove it, audit "
           "it, and print the tombstone that replaces its keyring entry (its id and FPE slot are never reused).",
           "",
           {{"config", "FILE", "configuration (keyring and audit log)", true},
            {"id", "ID", "the retired key", true},
            {"file", "PATH", "its material file", true}}},
          destroy};
}

Command keys_rewrap_command() {
  return {{"keys rewrap",
           "Re-encrypt vault rows under the primary data key and re-fingerprint them under the primary "
           "fingerprint key, online and resumable; then the old keys can be retired.",
           "",
           {{"config", "FILE", "configuration (keyring and vault)", true},
            {"batch", "N", "rows per batch (default 500)", false}}},
          rewrap};
}

}  // namespace paygate::cli
