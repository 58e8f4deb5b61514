#include "gateway/audit_setup.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace paygate::gateway {

audit::AuditLogOptions audit_options(const config::AuditConfig& config, std::string stream) {
  audit::AuditLogOptions o;
  o.dir = config.dir;
  o.stream = std::move(stream);
  o.fsync = config.fsync == config::AuditConfig::Fsync::always ? audit::AuditLogOptions::Fsync::always
                                                               : audit::AuditLogOptions::Fsync::batch;
  o.batch_interval = config.batch_interval;
  o.queue_limit = config.queue_limit;
  o.on_full = config.on_full == config::AuditConfig::OnFull::block ? audit::AuditLogOptions::OnFull::block
                                                                   : audit::AuditLogOptions::OnFull::fail_closed;
  o.max_file_size = config.max_file_size;
  o.rotate_interval = config.rotate_interval;
  o.checkpoint_every = config.checkpoint_every;
  return o;
}

crypto::Result<std::unique_ptr<audit::AuditLog>> open_audit_log(const config::Config& config, std::string stream) {
  if (!config.audit.enabled) {
    return crypto::make_error(crypto::ErrorCode::unavailable, "the configuration has no audit section");
  }
  return audit::AuditLog::open(audit_options(config.audit, std::move(stream)), config.keyring);
}

namespace {

// Names may come from the environment (SUDO_USER): keep them to a plain identifier.
std::string plain_name(std::string name) {
  for (char& c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == '-' || c == '.';
    if (!plain) c = '_';
  }
  if (name.size() > 64) name.resize(64);
  return name;
}

}  // namespace

std::string operator_identity() {
  // The account the kernel says runs this command (not $USER, which anyone can set).
  const uid_t uid = ::getuid();
  std::string name = "uid" + std::to_string(uid);
  std::vector<char> buffer(4096);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found) name = plain_name(found->pw_name);
  std::string out = name + " (uid " + std::to_string(uid) + ")";
  // Through sudo, who asked for it (sudo sets these; as root, the caller is worth naming).
  if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && uid == 0 && std::getenv("SUDO_UID")) {
    out += " via sudo from " + plain_name(sudo_user);
  }
  return out;
}

}  // namespace paygate::gateway
