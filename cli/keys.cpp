// paygate keys generate | keys list: key material for the keyring, and what a keyring
// holds (never the material itself).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "config/keyring_loader.h"
#include "config/loader.h"
#include "crypto/keyring.h"
#include "cli/command.h"

namespace paygate::cli {
namespace {

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
  // O_EXCL: never overwrite a key file (that would destroy the only copy of a key).
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::fprintf(stderr, "paygate keys generate: cannot create %s: %s\n", out.c_str(),
                 errno == EEXIST ? "file exists (refusing to overwrite a key)" : std::strerror(errno));
    return exit_failure;
  }
  std::string hex = crypto::generate_key_hex(algorithm) + "\n";
  const bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  std::fill(hex.begin(), hex.end(), '\0');
  ::close(fd);
  if (!written) {
    std::fprintf(stderr, "paygate keys generate: cannot write %s\n", out.c_str());
    ::unlink(out.c_str());
    return exit_failure;
  }
  std::fprintf(stderr, "wrote %s (mode 0600); add this entry to the keyring:\n", out.c_str());
  std::printf("  - id: %s\n    use: %s\n    algorithm: %s\n    state: %s\n", id.c_str(),
              std::string(crypto::to_string(*use)).c_str(), std::string(crypto::to_string(algorithm)).c_str(),
              args.value("state").value_or("active").c_str());
  if (slot) std::printf("    fpe_slot: %d\n", slot);
  std::printf("    file: %s\n", out.c_str());
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
  std::printf("%-24s %-12s %-12s %-8s %-5s %s\n", "ID", "USE", "ALGORITHM", "STATE", "SLOT", "KCV");
  for (const auto& k : keyring->keys()) {
    std::printf("%-24s %-12s %-12s %-8s %-5s %s\n", k.id().c_str(), std::string(crypto::to_string(k.use())).c_str(),
                std::string(crypto::to_string(k.algorithm())).c_str(), std::string(crypto::to_string(k.state())).c_str(),
                k.fpe_slot() ? std::to_string(k.fpe_slot()).c_str() : "-", k.check_value().c_str());
  }
  return exit_ok;
}

}  // namespace

Command keys_generate_command() {
  return {{"keys generate",
           "Write fresh key material (hex, mode 0600) to a new file and print the keyring entry to paste.",
           "",
           {{"use", "USE", "data | fpe | fingerprint | audit", true},
            {"id", "ID", "key id, 1..64 of A-Z a-z 0-9 _ -", true},
            {"out", "FILE", "file to create (never overwritten)", true},
            {"algorithm", "ALG", "aes-256-gcm | aes-128-ff1 | aes-256-ff1 | hmac-sha256 (default by use)", false},
            {"fpe-slot", "N", "1..9, for fpe keys", false},
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
