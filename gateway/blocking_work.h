// Internal to gateway/ (.cpp files that use Asio): awaitables that hand work to other
// threads without holding a network thread — the blocking pool (crypto, vault) and the
// audit log's writer.
#pragma once

#include <memory>
#include <optional>

#include "audit/audit_log.h"
#include "gateway/blocking_pool.h"
#include "net/asio.h"

namespace paygate::gateway {

// Runs `work` on the blocking pool and resumes the awaiting coroutine on its own
// executor with the result; nullopt when the pool refuses the work (full), so the caller
// answers "busy". Not a coroutine itself (g++ 12 mishandles lambdas passed by value into
// coroutine frames): it returns the awaitable async_initiate makes. The work owns what it
// touches (shared_ptr captures): if the session goes away meanwhile, nothing dangles.
template <class Result, class Work>
auto run_blocking(BlockingPool& pool, Work work) {
  return net::asio::async_initiate<decltype(net::asio::use_awaitable), void(std::optional<Result>)>(
      [&pool](auto handler, Work w) {
        auto executor = net::asio::get_associated_executor(handler);
        auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
        auto shared_work = std::make_shared<Work>(std::move(w));
        const bool queued = pool.try_submit([shared_handler, shared_work, executor] {
          std::optional<Result> result = (*shared_work)();
          net::asio::post(executor, [shared_handler, r = std::move(result)]() mutable { (*shared_handler)(std::move(r)); });
        });
        if (!queued) net::asio::post(executor, [shared_handler]() mutable { (*shared_handler)(std::nullopt); });
      },
      net::asio::use_awaitable, std::move(work));
}

// Writes an audit record with fsync always without holding the network thread: the
// coroutine resumes once the record is on disk (group commit with every other waiter).
// (With fsync batch record() only queues; AuditLogSink calls it directly.)
inline auto record_audit(audit::AuditLog& log, audit::AuditEvent event) {
  return net::asio::async_initiate<decltype(net::asio::use_awaitable), void(crypto::Status)>(
      [&log](auto handler, audit::AuditEvent e) {
        auto executor = net::asio::get_associated_executor(handler);
        auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
        log.record_async(std::move(e), [shared_handler, executor](crypto::Status status) {
          net::asio::post(executor, [shared_handler, status]() mutable { (*shared_handler)(status); });
        });
      },
      net::asio::use_awaitable, std::move(event));
}

}  // namespace paygate::gateway
