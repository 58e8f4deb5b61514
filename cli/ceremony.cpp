#include "cli/ceremony.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "config/loader.h"
#include "gateway/audit_setup.h"

namespace paygate::cli {

std::optional<Ceremony> Ceremony::open(const Args& args, const char* command, bool bootstrap) {
  Ceremony c;
  c.command_ = command;
  if (auto keyring = args.value("keyring")) c.keyring_file_ = *keyring;
  const auto cfg = args.value("config");
  if (!cfg) {
    if (!bootstrap) {
      std::fprintf(stderr, "paygate %s: --config is needed (the keyring and the audit log that records this)\n", command);
      return std::nullopt;
    }
    std::fprintf(stderr,
                 "paygate %s: not audited (no --config): a first ceremony, before the gateway has an audit log; "
                 "keep this output in the ceremony record\n",
                 command);
    return c;
  }
  auto loaded = config::load(*cfg);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return std::nullopt;
  }
  auto log = gateway::open_audit_log(*loaded.config, "operator");
  if (!log) {
    std::fprintf(stderr, "paygate %s: refusing to run without the audit log: %s\n", command,
                 log.error().to_string().c_str());
    return std::nullopt;
  }
  c.config_ = loaded.config;
  c.audit_ = std::move(log).value();
  if (c.keyring_file_.empty()) c.keyring_file_ = c.config_->keyring_file.string();
  return c;
}

const config::KeyringLoadResult& Ceremony::declarations() const {
  if (!declarations_) {
    declarations_ = keyring_file_.empty() ? config::KeyringLoadResult{} : config::load_keyring(keyring_file_);
  }
  return *declarations_;
}

bool Ceremony::record(audit::AuditEvent event) {
  event.with("operator", gateway::operator_identity());
  if (!audit_) return true;  // bootstrap: said at open()
  auto recorded = audit_->record(std::move(event));
  if (!recorded.ok()) {
    std::fprintf(stderr, "paygate %s: audit: %s\n", command_.c_str(), recorded.error().to_string().c_str());
  }
  return recorded.ok();
}

std::unique_ptr<crypto::Kek> open_declared_kek(const Ceremony& ceremony, const std::string& id, const char* command) {
  if (ceremony.keyring_file().empty()) {
    std::fprintf(stderr, "paygate %s: give --config FILE or --keyring FILE (where KEK %s is declared)\n", command, id.c_str());
    return nullptr;
  }
  const auto& declared = ceremony.declarations();
  for (const auto& spec : declared.keks) {
    if (spec.id != id) continue;
    auto kek = crypto::open_kek(spec);
    if (!kek) {
      std::fprintf(stderr, "paygate %s: %s\n", command, kek.error().reason.c_str());
      return nullptr;
    }
    return std::move(kek).value();
  }
  for (const auto& e : declared.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  std::fprintf(stderr, "paygate %s: KEK %s is not declared under keks: in %s\n", command, id.c_str(),
               ceremony.keyring_file().c_str());
  return nullptr;
}

std::string shred_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  struct stat st {};
  bool shredded = fd >= 0 && ::fstat(fd, &st) == 0;
  if (shredded) {
    const std::string zeros(static_cast<std::size_t>(st.st_size), '0');
    shredded = ::pwrite(fd, zeros.data(), zeros.size(), 0) == static_cast<ssize_t>(zeros.size()) && ::fsync(fd) == 0;
  }
  if (fd >= 0) ::close(fd);
  if (!shredded || ::unlink(path.c_str()) != 0) return "cannot overwrite and remove " + path + ": " + std::strerror(errno);
  return {};
}

std::string replace_file_text(const std::string& path, const std::string& text) {
  struct stat st {};
  const mode_t mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0600;
  const std::string temporary = path + ".new";
  ::unlink(temporary.c_str());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return "cannot create " + temporary + ": " + std::strerror(errno);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return "cannot replace " + path + ": " + std::strerror(errno);
  }
  const std::string folder = std::filesystem::path(path).parent_path().empty()
                                 ? "."
                                 : std::filesystem::path(path).parent_path().string();
  if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

std::string write_new_secret_file(const std::string& path, const std::string& text) {
  // O_EXCL: never overwrite a key file (that would destroy the only copy of a key).
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return "cannot create " + path + ": " +
           (errno == EEXIST ? std::string("file exists (refusing to overwrite a key)") : std::strerror(errno));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return "cannot write " + path;
  }
  return {};
}

}  // namespace paygate::cli
