// Where the flow's audit records go: the process's audit log (AuditLogSink), or a test
// double. healthy() is the gate every payment passes before anything leaves paygate.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "audit/audit_log.h"
#include "crypto/status.h"

namespace paygate::gateway {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // False while the log's writes fail.
  virtual bool healthy() const = 0;
  // Resumes once the log has taken the record (on disk first with fsync: always). An
  // error when the log refuses it (fail_closed while failing). Never holds the thread.
  virtual boost::asio::awaitable<crypto::Status> record(audit::AuditEvent event) = 0;
};

class AuditLogSink final : public AuditSink {
 public:
  explicit AuditLogSink(audit::AuditLog& log) : log_(log) {}
  bool healthy() const override { return log_.healthy(); }
  boost::asio::awaitable<crypto::Status> record(audit::AuditEvent event) override;

 private:
  audit::AuditLog& log_;
};

}  // namespace paygate::gateway
