// paygate keys generate | keys list: key material for the keyring, and what a keyring
// holds (never the material itself).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cli/ceremony.h"
#include "cli/command.h"
#include "config/keyring_loader.h"
#include "config/loader.h"
#include "crypto/encoding.h"
#include "crypto/key_wrap.h"
#include "crypto/keyring.h"

namespace paygate::cli {
namespace {

// The path to print in a keyring entry: relative to the keyring's folder when the keyring
// is known (the loader resolves it from there), absolute otherwise — never relative to
// the directory the command happened to run in.
std::string entry_path(const std::string& out, const std::string& keyring_file) {
  namespace fs = std::filesystem;
  const fs::path absolute = fs::absolute(out).lexically_normal();
  if (keyring_file.empty()) return absolute.string();
  const fs::path relative = absolute.lexically_relative(fs::absolute(keyring_file).parent_path().lexically_normal());
  return relative.empty() ? absolute.string() : relative.string();
}

int generate(const Args& args) {
  auto use = crypto::parse_key_use(*args.value("use"));
  if (!use) {
    std::fprintf(stderr, "paygate keys generate: --use must be data, fpe, fingerprint or audit\n");
    return exit_usage;
  }
  crypto::KeyAlgorithm algorithm = crypto::default_algorithm(*use);
  if (auto a = args.value("algorithm")) {
    auto parsed = crypto::parse_key_algorithm(*a);
    if (!parsed || !crypto::algorithm_fits(*use, *parsed)) {
      std::fprintf(stderr, "paygate keys generate: --algorithm does not fit --use %s\n", args.value("use")->c_str());
      return exit_usage;
    }
    algorithm = *parsed;
  }
  const std::string id = *args.value("id");
  if (!crypto::valid_key_id(id)) {
    std::fprintf(stderr, "paygate keys generate: --id must be 1 to 64 of A-Z a-z 0-9 _ -\n");
    return exit_usage;
  }
  int slot = 0;
  if (*use == crypto::KeyUse::fpe) {
    auto s = args.value("fpe-slot");
    slot = s ? std::atoi(s->c_str()) : 0;
    if (slot < 1 || slot > 9) {
      std::fprintf(stderr, "paygate keys generate: fpe keys need --fpe-slot 1..9\n");
      return exit_usage;
    }
  }
  const std::string out = *args.value("out");
  auto ceremony = Ceremony::open(args, "keys generate", /*bootstrap=*/true);
  if (!ceremony) return exit_failure;
  const auto material = crypto::SecretBytes(*crypto::hex_decode_secret(crypto::generate_key_hex(algorithm)));
  const auto key = crypto::Key::create(id, *use, algorithm, crypto::KeyState::active, slot, material).value();
  audit::AuditEvent event("key_generated");
  event.with("key_id", id).with("use", std::string(crypto::to_string(*use)))
      .with("algorithm", std::string(crypto::to_string(algorithm))).with("kcv", key.check_value());
  std::string source_line;
  if (auto kek_id = args.value("wrap")) {
    auto kek = open_declared_kek(*ceremony, *kek_id, "keys generate");
    if (!kek) return exit_failure;
    auto file = crypto::wrap_key_file(*kek, algorithm, material);
    if (!file) {
      std::fprintf(stderr, "paygate keys generate: %s\n", file.error().to_string().c_str());
      return exit_failure;
    }
    if (auto written = crypto::write_wrapped_key_file(out, file.value(), /*replace=*/false); !written) {
      std::fprintf(stderr, "paygate keys generate: %s\n", written.error().reason.c_str());
      return exit_failure;
    }
    event.with("kek_id", kek->id()).with("kek_kcv", kek->check_value());
    source_line = "    wrapped: " + entry_path(out, ceremony->keyring_file()) + "\n";
    std::fprintf(stderr, "wrote %s (wrapped under KEK %s, check value %s; key check value %s); add this entry to the keyring:\n",
                 out.c_str(), kek->id().c_str(), kek->check_value().c_str(), key.check_value().c_str());
  } else {
    const auto& bytes = crypto::reveal_secret(material);
    std::string text = crypto::hex_encode(bytes) + "\n";
    const std::string problem = write_new_secret_file(out, text);
    std::fill(text.begin(), text.end(), '\0');
    if (!problem.empty()) {
      std::fprintf(stderr, "paygate keys generate: %s\n", problem.c_str());
      return exit_failure;
    }
    event.with("in_the_clear", true);
    source_line = "    file: " + entry_path(out, ceremony->keyring_file()) + "\n";
    std::fprintf(stderr, "wrote %s (mode 0600, in the clear: allow_plaintext_keys only); add this entry to the keyring:\n",
                 out.c_str());
  }
  if (!ceremony->record(std::move(event))) return exit_failure;
  std::printf("  - id: %s\n    use: %s\n    algorithm: %s\n    state: %s\n", id.c_str(),
              std::string(crypto::to_string(*use)).c_str(), std::string(crypto::to_string(algorithm)).c_str(),
              args.value("state").value_or("active").c_str());
  if (slot) std::printf("    fpe_slot: %d\n", slot);
  std::printf("%s", source_line.c_str());
  return exit_ok;
}

int list(const Args& args) {
  std::shared_ptr<const crypto::KeyRing> keyring;
  std::vector<config::ConfigError> errors;
  if (auto file = args.value("keyring")) {
    auto loaded = config::load_keyring(*file);
    keyring = loaded.keyring;
    errors = std::move(loaded.errors);
  } else if (auto cfg = args.value("config")) {
    auto loaded = config::load(*cfg);
    if (loaded.ok()) keyring = loaded.config->keyring;
    errors = std::move(loaded.errors);
    if (loaded.ok() && !keyring) errors.push_back({*cfg, 0, 0, "keys", "no keyring configured"});
  } else {
    std::fprintf(stderr, "paygate keys list: give --keyring FILE or --config FILE\n");
    return exit_usage;
  }
  if (!keyring) {
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return exit_failure;
  }
  std::printf("%-24s %-12s %-12s %-8s %-5s %-7s %s\n", "ID", "USE", "ALGORITHM", "STATE", "SLOT", "KCV", "WRAPPED BY");
  for (const auto& k : keyring->keys()) {
    std::printf("%-24s %-12s %-12s %-8s %-5s %-7s %s\n", k.id().c_str(), std::string(crypto::to_string(k.use())).c_str(),
                std::string(crypto::to_string(k.algorithm())).c_str(), std::string(crypto::to_string(k.state())).c_str(),
                k.fpe_slot() ? std::to_string(k.fpe_slot()).c_str() : "-", k.check_value().c_str(),
                k.kek_id().empty() ? "- (in the clear)" : ("KEK " + k.kek_id()).c_str());
  }
  return exit_ok;
}

// The keyring line `line` (1-based) with its file:/env: value replaced by wrapped: PATH.
std::optional<std::string> rewrite_source_line(const std::string& text, int line, const std::string& wrapped) {
  std::size_t begin = 0;
  for (int n = 1; n < line; ++n) {
    begin = text.find('\n', begin);
    if (begin == std::string::npos) return std::nullopt;
    ++begin;
  }
  const std::size_t end = std::min(text.find('\n', begin), text.size());
  std::string row = text.substr(begin, end - begin);
  std::size_t key = std::string::npos;
  for (const char* name : {"file:", "env:"}) {
    const auto at = row.find(name);
    if (at != std::string::npos && (at == 0 || row[at - 1] == ' ' || row[at - 1] == '{' || row[at - 1] == ',')) key = at;
  }
  if (key == std::string::npos) return std::nullopt;
  const std::size_t value_end = std::min(row.find_first_of(",}#", key), row.size());
  const bool trailing = value_end < row.size();
  row.replace(key, value_end - key, "wrapped: " + wrapped + (trailing ? " " : ""));
  return text.substr(0, begin) + row + text.substr(end);
}

// paygate keys wrap: a key kept in the clear becomes a wrapped key file under a KEK; the
// keyring entry is rewritten in place (only that line), checked to load to the same key,
// and the plain file destroyed on --shred.
int wrap(const Args& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "paygate keys wrap: name the key: paygate keys wrap KEY_ID --kek KEK_ID --config FILE\n");
    return exit_usage;
  }
  const std::string id = args.positional[0];
  auto ceremony = Ceremony::open(args, "keys wrap", /*bootstrap=*/false);
  if (!ceremony) return exit_failure;
  const crypto::Key* key = nullptr;
  for (const auto& k : ceremony->config()->keyring->keys()) {
    if (k.id() == id) key = &k;
  }
  const auto& declared = ceremony->declarations();
  const auto source = std::find_if(declared.sources.begin(), declared.sources.end(),
                                   [&](const config::KeySourceEntry& s) { return s.key_id == id; });
  if (!key || source == declared.sources.end()) {
    std::fprintf(stderr, "paygate keys wrap: no key %s in %s\n", id.c_str(), ceremony->keyring_file().c_str());
    return exit_failure;
  }
  if (!key->kek_id().empty()) {
    std::fprintf(stderr, "paygate keys wrap: key %s is already wrapped under KEK %s (to move it to another KEK: "
                         "paygate kek rotate)\n", id.c_str(), key->kek_id().c_str());
    return exit_failure;
  }
  auto kek = open_declared_kek(*ceremony, *args.value("kek"), "keys wrap");
  if (!kek) return exit_failure;
  const std::filesystem::path keyring_path = ceremony->keyring_file();
  const std::string out = args.value("out").value_or((keyring_path.parent_path() / (id + ".wrapped")).string());
  auto file = crypto::wrap_key_file(*kek, key->algorithm(), key->material());
  if (!file) {
    std::fprintf(stderr, "paygate keys wrap: %s\n", file.error().to_string().c_str());
    return exit_failure;
  }
  if (auto written = crypto::write_wrapped_key_file(out, file.value(), /*replace=*/false); !written) {
    std::fprintf(stderr, "paygate keys wrap: %s\n", written.error().reason.c_str());
    return exit_failure;
  }
  std::ifstream in(keyring_path);
  const std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto after = rewrite_source_line(before, source->line, out);
  const auto undo = [&](const std::string& why) {
    if (!before.empty()) (void)replace_file_text(keyring_path.string(), before);
    ::unlink(out.c_str());
    std::fprintf(stderr, "paygate keys wrap: %s; the keyring is as it was, nothing destroyed\n", why.c_str());
    return exit_failure;
  };
  if (!after) return undo("line " + std::to_string(source->line) + " of " + keyring_path.string() + " has no file: or env: to replace");
  if (auto problem = replace_file_text(keyring_path.string(), *after); !problem.empty()) return undo(problem);
  // The keyring as rewritten must give back this very key, now wrapped.
  auto reloaded = config::load_keyring(keyring_path);
  const crypto::Key* now = nullptr;
  if (reloaded.ok()) {
    for (const auto& k : reloaded.keyring->keys()) {
      if (k.id() == id) now = &k;
    }
  }
  if (!now || now->kek_id() != kek->id() || now->check_value() != key->check_value()) {
    for (const auto& e : reloaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return undo("the rewritten keyring does not open key " + id + " wrapped under KEK " + kek->id());
  }
  const bool shred = args.flag("shred") && source->kind == config::KeySourceEntry::Kind::file;
  audit::AuditEvent event("key_wrapped");
  event.with("key_id", id).with("kcv", key->check_value()).with("kek_id", kek->id())
      .with("kek_kcv", kek->check_value()).with("plain_file_shredded", shred);
  if (!ceremony->record(std::move(event))) return exit_failure;
  std::printf("wrapped key %s (check value %s) under KEK %s (check value %s): %s\n", id.c_str(),
              key->check_value().c_str(), kek->id().c_str(), kek->check_value().c_str(), out.c_str());
  std::printf("keyring %s line %d now reads wrapped: %s\n", keyring_path.c_str(), source->line, out.c_str());
  if (source->kind == config::KeySourceEntry::Kind::env) {
    std::printf("unset %s wherever it is set: it holds key %s in the clear\n", source->location.c_str(), id.c_str());
  } else if (shred) {
    if (auto problem = shred_file(source->location); !problem.empty()) {
      std::fprintf(stderr, "paygate keys wrap: %s\n", problem.c_str());
      return exit_failure;
    }
    std::printf("destroyed %s (overwritten and removed)\n", source->location.c_str());
  } else {
    std::printf("destroy %s now: it still holds key %s in the clear (or run with --shred)\n",
                source->location.c_str(), id.c_str());
  }
  return exit_ok;
}

}  // namespace

Command keys_wrap_command() {
  return {{"keys wrap",
           "Wrap a key kept in the clear under a KEK: write its wrapped file, rewrite its keyring entry, check the "
           "keyring opens it, audit it; --shred destroys the plain file.",
           "KEY_ID",
           {{"config", "FILE", "configuration (keyring with the KEK declared, audit log)", true},
            {"kek", "KEK_ID", "the KEK to wrap under (declared under keks:)", true},
            {"out", "FILE", "the wrapped file (default: KEY_ID.wrapped beside the keyring)", false},
            {"shred", "", "overwrite and remove the plain key file once the keyring opens the wrapped one", false}}},
          wrap};
}

Command keys_generate_command() {
  return {{"keys generate",
           "Write a fresh key to a new file, wrapped under a KEK (--wrap) or in the clear, audit it, and print the "
           "keyring entry to paste.",
           "",
           {{"use", "USE", "data | fpe | fingerprint | audit", true},
            {"id", "ID", "key id, 1..64 of A-Z a-z 0-9 _ -", true},
            {"out", "FILE", "file to create (never overwritten)", true},
            {"algorithm", "ALG", "aes-256-gcm | aes-128-ff1 | aes-256-ff1 | hmac-sha256 (default by use)", false},
            {"fpe-slot", "N", "1..9, for fpe keys", false},
            {"wrap", "KEK_ID", "write it wrapped under this KEK (declared in the keyring) instead of in the clear", false},
            {"config", "FILE", "configuration: its keyring declares the KEK, its audit log records this", false},
            {"keyring", "FILE", "keyring declaring the KEK (first keys, before a configuration exists)", false},
            {"state", "STATE", "state printed in the entry (default active: promote when ready)", false}}},
          generate};
}

Command keys_list_command() {
  return {{"keys list",
           "List a keyring's keys: id, use, algorithm, state, slot and key check value (never the material).",
           "",
           {{"keyring", "FILE", "keyring file", false}, {"config", "FILE", "configuration whose keys.keyring to list", false}}},
          list};
}

}  // namespace paygate::cli
