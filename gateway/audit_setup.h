// The audit log as the configuration describes it: one writer per stream ("gateway" for
// serve, "operator" for the command-line tools that touch card data or keys).
#pragma once

#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "config/config.h"
#include "crypto/status.h"

namespace paygate::gateway {

audit::AuditLogOptions audit_options(const config::AuditConfig& config, std::string stream);

// Opens the stream's log. Errors: the config has no audit section (unavailable), or the
// log cannot open (AuditLog::open's errors).
crypto::Result<std::unique_ptr<audit::AuditLog>> open_audit_log(const config::Config& config, std::string stream);

// Who runs an operator command: the login name (or the sudo caller) and the uid.
std::string operator_identity();

}  // namespace paygate::gateway
