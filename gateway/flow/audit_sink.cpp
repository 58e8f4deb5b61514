#include "gateway/flow/audit_sink.h"

#include "gateway/blocking_work.h"

namespace paygate::gateway {

boost::asio::awaitable<crypto::Status> AuditLogSink::record(audit::AuditEvent event) {
  co_return co_await record_audit(log_, std::move(event));
}

}  // namespace paygate::gateway
