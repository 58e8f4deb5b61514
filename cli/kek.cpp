// paygate kek init | kek components generate | kek rotate: the ceremonies of a
// key-encrypting key (docs/crypto.md "Key custody"). Each is audited (with --config) and
// prints check values for the custodians' record — never material.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/ceremony.h"
#include "cli/command.h"
#include "crypto/encoding.h"
#include "crypto/kek_components.h"
#include "crypto/kek_source.h"
#include "crypto/key_wrap.h"

namespace paygate::cli {
namespace {

int init(const Args& args) {
  crypto::Pkcs11KekLocation where{*args.value("pkcs11"), *args.value("token"), *args.value("label"), {}};
  const auto pin_file = args.value("pin-file");
  const auto pin_env = args.value("pin-env");
  if (pin_file.has_value() == pin_env.has_value()) {
    std::fprintf(stderr, "paygate kek init: give the user PIN by exactly one of --pin-file and --pin-env\n");
    return exit_usage;
  }
  where.pin = pin_file ? crypto::KeySource{crypto::KeySource::Kind::file, *pin_file}
                       : crypto::KeySource{crypto::KeySource::Kind::env, *pin_env};
  const std::string id = args.value("id").value_or(where.key_label);
  if (!crypto::valid_key_id(id)) {
    std::fprintf(stderr, "paygate kek init: --id must be 1 to 64 of A-Z a-z 0-9 _ -\n");
    return exit_usage;
  }
  auto ceremony = Ceremony::open(args, "kek init", /*bootstrap=*/true);
  if (!ceremony) return exit_failure;
  auto created = crypto::create_pkcs11_kek(where);
  audit::AuditEvent event("kek_init");
  event.with("kek_id", id).with("module", where.module).with("token", where.token_label).with("key_label", where.key_label);
  if (!created) {
    event.with("result", std::string(crypto::to_string(created.error().code)));
    (void)ceremony->record(std::move(event));
    std::fprintf(stderr, "paygate kek init: %s\n", created.error().reason.c_str());
    return exit_failure;
  }
  const auto& kcv = created.value().check_value;
  event.with("result", created.value().existed ? "existed" : "created").with("kek_kcv", kcv);
  if (!ceremony->record(std::move(event))) return exit_failure;
  std::fprintf(stderr, "%s KEK \"%s\" in token \"%s\" (%s): check value %s\n",
               created.value().existed ? "found the existing" : "created", where.key_label.c_str(),
               where.token_label.c_str(), where.module.c_str(), kcv.c_str());
  std::fprintf(stderr, "record the check value; declare the KEK in the keyring under keks:\n");
  std::printf("  - id: %s\n    pkcs11:\n      module: %s\n      token: %s\n      key_label: %s\n", id.c_str(),
              where.module.c_str(), where.token_label.c_str(), where.key_label.c_str());
  std::printf(pin_file ? "      pin_file: %s\n" : "      pin_env: %s\n", pin_file ? pin_file->c_str() : pin_env->c_str());
  return exit_ok;
}

int components_generate(const Args& args) {
  const std::string id = *args.value("id");
  const auto count_text = *args.value("count");
  const std::size_t count = count_text == "2" ? 2 : count_text == "3" ? 3 : 0;
  if (!crypto::valid_key_id(id) || count == 0) {
    std::fprintf(stderr, "paygate kek components generate: --count is 2 or 3, --id 1 to 64 of A-Z a-z 0-9 _ -\n");
    return exit_usage;
  }
  const std::filesystem::path dir = *args.value("out");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  auto ceremony = Ceremony::open(args, "kek components generate", /*bootstrap=*/true);
  if (!ceremony) return exit_failure;
  auto generated = crypto::generate_kek_components(count);
  if (!generated) {
    std::fprintf(stderr, "paygate kek components generate: %s\n", generated.error().reason.c_str());
    return exit_failure;
  }
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string path = (dir / (id + ".component-" + std::to_string(i + 1))).string();
    std::string text = crypto::hex_encode(crypto::reveal_secret(generated.value().components[i])) + "\n";
    const std::string problem = write_new_secret_file(path, text);
    std::fill(text.begin(), text.end(), '\0');
    if (!problem.empty()) {
      for (const auto& p : paths) (void)shred_file(p);  // a partial set is no KEK: take it back
      std::fprintf(stderr, "paygate kek components generate: %s\n", problem.c_str());
      return exit_failure;
    }
    paths.push_back(path);
  }
  const auto& g = generated.value();
  boost::json::array kcvs;
  for (const auto& kcv : g.check_values) kcvs.emplace_back(kcv);
  audit::AuditEvent event("kek_components_generated");
  event.with("kek_id", id).with("count", static_cast<std::int64_t>(count)).with("component_kcvs", std::move(kcvs))
      .with("kek_kcv", g.kek_check_value);
  if (!ceremony->record(std::move(event))) {
    for (const auto& p : paths) (void)shred_file(p);
    return exit_failure;
  }
  for (std::size_t i = 0; i < count; ++i) {
    std::fprintf(stderr, "component %zu: %s  check value %s  (custodian %zu)\n", i + 1, paths[i].c_str(),
                 g.check_values[i].c_str(), i + 1);
  }
  std::fprintf(stderr,
               "combined KEK %s: check value %s\n"
               "each custodian records their component's check value, moves their file where only they can read "
               "it (mode 0600) and nobody else keeps a copy; then declare the KEK under keks: with the final paths:\n",
               id.c_str(), g.kek_check_value.c_str());
  std::printf("  - id: %s\n    components:\n      check_value: %s\n      parts:\n", id.c_str(), g.kek_check_value.c_str());
  for (std::size_t i = 0; i < count; ++i) {
    std::printf("        - { file: %s, check_value: %s }\n", paths[i].c_str(), g.check_values[i].c_str());
  }
  return exit_ok;
}

// Rewraps every wrapped key file under OLD with NEW, one atomic file replacement at a
// time: interrupted, it is run again and carries on (files already under NEW are skipped).
// No data is re-encrypted: the data keys stay the same, only their wrapping changes.
int rotate(const Args& args) {
  const std::string from = *args.value("from");
  const std::string to = *args.value("to");
  if (from == to) {
    std::fprintf(stderr, "paygate kek rotate: --from and --to name the same KEK\n");
    return exit_usage;
  }
  auto ceremony = Ceremony::open(args, "kek rotate", /*bootstrap=*/false);
  if (!ceremony) return exit_failure;
  auto next = open_declared_kek(*ceremony, to, "kek rotate");
  if (!next) return exit_failure;
  const auto& keyring = *ceremony->config()->keyring;
  std::vector<config::KeySourceEntry> files;
  for (const auto& s : ceremony->declarations().sources) {
    if (s.kind == config::KeySourceEntry::Kind::wrapped) files.push_back(s);
  }
  audit::AuditEvent start("kek_rotate_start");
  start.with("from", from).with("to", to).with("to_kek_kcv", next->check_value())
      .with("files", static_cast<std::int64_t>(files.size()));
  if (!ceremony->record(std::move(start))) return exit_failure;

  std::size_t rotated = 0, already = 0, other = 0, done = 0;
  std::string failure;
  for (const auto& f : files) {
    auto file = crypto::read_wrapped_key_file(f.location);
    const crypto::Key* key = nullptr;
    for (const auto& k : keyring.keys()) {
      if (k.id() == f.key_id) key = &k;
    }
    if (!file || !key) {
      failure = file ? "key " + f.key_id + " is not in the loaded keyring" : file.error().reason;
      break;
    }
    if (file.value().kek_id == to) {
      ++already;
    } else if (file.value().kek_id != from) {
      ++other;
    } else {
      auto rewrapped = crypto::wrap_key_file(*next, key->algorithm(), key->material());
      // Proven to open under the new KEK before it replaces the old file.
      auto check = rewrapped ? crypto::unwrap_key_file(rewrapped.value(), *next)
                             : crypto::Result<crypto::SecretBytes>(rewrapped.error());
      if (!check || !crypto::constant_time_equal(crypto::reveal_secret(check.value()), crypto::reveal_secret(key->material()))) {
        failure = "key " + f.key_id + ": " + (check ? std::string("rewrapped key does not open") : check.error().reason);
        break;
      }
      if (auto written = crypto::write_wrapped_key_file(f.location, rewrapped.value(), /*replace=*/true); !written) {
        failure = written.error().reason;
        break;
      }
      ++rotated;
    }
    ++done;
    const std::size_t filled = 40 * done / files.size();
    std::fprintf(stderr, "\r[%-40s] %zu/%zu  %zu rewrapped, %zu already under %s", std::string(filled, '#').c_str(),
                 done, files.size(), rotated, already, to.c_str());
  }
  std::fprintf(stderr, "\n");
  audit::AuditEvent end("kek_rotate_end");
  end.with("from", from).with("to", to).with("rewrapped", static_cast<std::int64_t>(rotated))
      .with("already", static_cast<std::int64_t>(already)).with("other_kek", static_cast<std::int64_t>(other))
      .with("result", failure.empty() ? "ok" : "interrupted");
  const bool recorded = ceremony->record(std::move(end));
  if (!failure.empty()) {
    std::fprintf(stderr, "paygate kek rotate: %s (%zu rewrapped so far; run it again to carry on)\n", failure.c_str(),
                 rotated);
    return exit_failure;
  }
  if (!recorded) return exit_failure;
  // The keyring, read again from disk, must open every key with nothing under the old KEK.
  auto reloaded = config::load_keyring(ceremony->keyring_file());
  if (!reloaded.ok()) {
    for (const auto& e : reloaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return exit_failure;
  }
  const auto still_old = std::count_if(reloaded.keyring->keys().begin(), reloaded.keyring->keys().end(),
                                       [&](const crypto::Key& k) { return k.kek_id() == from; });
  std::printf("rewrapped %zu, already under %s %zu, under other KEKs %zu, under %s %zd\n", rotated, to.c_str(), already,
              other, from.c_str(), static_cast<std::ptrdiff_t>(still_old));
  if (still_old == 0) {
    std::printf("no key is wrapped under KEK %s any more: remove it from keks: (and plain keys still in the clear: "
                "see keys list), then destroy it (token: delete the key; components: custodians destroy their parts)\n",
                from.c_str());
  }
  return exit_ok;
}

}  // namespace

Command kek_init_command() {
  return {{"kek init",
           "Create a KEK inside a PKCS#11 token (AES-256, sensitive, never extractable; wrap/unwrap only), or find "
           "the one there; print its check value and its keks: entry.",
           "",
           {{"pkcs11", "MODULE", "path of the PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so)", true},
            {"token", "LABEL", "the token's label", true},
            {"label", "KEY_LABEL", "the KEK's label in the token", true},
            {"pin-file", "FILE", "the user PIN, in a file of mode 0600", false},
            {"pin-env", "VARIABLE", "the user PIN, in an environment variable", false},
            {"id", "KEK_ID", "the KEK's id in the keyring (default: its label)", false},
            {"config", "FILE", "configuration whose audit log records this", false}}},
          init};
}

Command kek_components_generate_command() {
  return {{"kek components generate",
           "Generate a KEK as 2 or 3 full-length components (XOR), one file per custodian (mode 0600); print each "
           "component's check value, the KEK's, and its keks: entry.",
           "",
           {{"count", "N", "2 or 3 components", true},
            {"out", "DIR", "folder for the component files (custodians take them away)", true},
            {"id", "KEK_ID", "the KEK's id in the keyring", true},
            {"config", "FILE", "configuration whose audit log records this", false}}},
          components_generate};
}

Command kek_rotate_command() {
  return {{"kek rotate",
           "Rewrap every wrapped key file under another KEK (atomic per file, resumable, progress shown); no data is "
           "re-encrypted. Then the old KEK can be destroyed.",
           "",
           {{"config", "FILE", "configuration (keyring declaring both KEKs, audit log)", true},
            {"from", "KEK_ID", "the KEK being retired", true},
            {"to", "KEK_ID", "the KEK taking over", true}}},
          rotate};
}

}  // namespace paygate::cli
