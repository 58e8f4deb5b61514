#include "gateway/flow/audit_sink.h"

#include "gateway/blocking_work.h"

namespace paygate::gateway {

boost::asio::awaitable<crypto::Status> AuditLogSink::record(audit::AuditEvent event) {
  // fsync batch: record() only queues (it waits only when the queue is full with on_full
  // block), so the coroutine goes on at once — no post and no resumption through the
  // executor per record.
  if (!log_.syncs_each_record()) co_return log_.record(std::move(event));
  co_return co_await record_audit(log_, std::move(event));
}

}  // namespace paygate::gateway
