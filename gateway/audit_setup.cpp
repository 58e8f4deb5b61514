#include "gateway/audit_setup.h"

#include <unistd.h>

#include <cstdlib>

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

std::string operator_identity() {
  const char* sudo_user = std::getenv("SUDO_USER");
  const char* user = std::getenv("USER");
  std::string name = sudo_user ? sudo_user : user ? user : "unknown";
  // Names come from the environment: keep them to a plain identifier.
  for (char& c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == '-' || c == '.';
    if (!plain) c = '_';
  }
  if (name.size() > 64) name.resize(64);
  return name + " (uid " + std::to_string(::getuid()) + ")";
}

}  // namespace paygate::gateway
