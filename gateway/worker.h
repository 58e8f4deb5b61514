// Internal to gateway/: what lives as long as the process (Runtime), what one
// configuration builds (Snapshot, gateway/snapshot.h), and what each network thread owns.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fraud/screener.h"
#include "gateway/blocking_pool.h"
#include "gateway/flow/audit_sink.h"
#include "gateway/flow/payment_flow.h"
#include "gateway/flow/audit_throttle.h"
#include "gateway/metrics.h"
#include "gateway/request_id.h"
#include "gateway/trace_context.h"
#include "gateway/snapshot.h"
#include "gateway/upstream/processor_client.h"
#include "net/asio.h"

#include <boost/intrusive/list.hpp>

namespace paygate::gateway {

// A bound listener. Its name and address cannot change by reload (its TLS context and
// limits can: they are the snapshot's).
struct ListenerContext {
  std::string name;
  std::size_t index = 0;  // in config.listeners
  config::ListenerKind kind = config::ListenerKind::https;
  net::tcp::endpoint bound;
  std::atomic<std::uint32_t> connections{0};  // open sessions, all threads
};

// Process-wide, across reloads.
struct Runtime {
  explicit Runtime(std::vector<std::string> listener_names) : metrics(std::move(listener_names)) {}
  std::vector<std::unique_ptr<ListenerContext>> listeners;
  Metrics metrics;  // counters: written by every thread (atomics)
  audit::AuditLog* audit_log = nullptr;  // null: no audit section
  std::unique_ptr<AuditSink> audit;      // the flow's way to audit_log (null without one)
  std::unique_ptr<BlockingPool> blocking;  // crypto and vault work, off the network threads
  std::atomic<bool> draining{false};       // shutdown: finish what is in flight, take nothing new
  std::unique_ptr<fraud::Screener> screener;  // fraud state: lives across reloads (null without fraud)
  AuditThrottle authentication_failures;      // audit records of them, per client address
};

// One thread's view of one snapshot: the snapshot and this thread's clients of its
// processors (each with its upstream: a connection pool or ISO 8583 links). A request
// holds it from start to answer, so a reload never pulls an upstream out from under an
// exchange; the last request on an old view frees it, on its thread.
struct ThreadSnapshot {
  std::shared_ptr<const Snapshot> shared;                  // first: the clients point into it
  std::vector<std::unique_ptr<ProcessorClient>> clients;   // per processor, config order
};

// A session's wait for its connection's next message, listed with its worker while it
// lasts: `cancel` ends the wait (a drain calls every listed one). It lives in the
// session's coroutine frame and links itself into the worker's list — no allocation per
// request, as a std::set's node was (issue #21) — and leaves it when destroyed or
// unlinked. The worker's thread only.
struct IdleWait : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
  explicit IdleWait(std::function<void()> cancel_wait) : cancel(std::move(cancel_wait)) {}
  std::function<void()> cancel;
};
using IdleWaits = boost::intrusive::list<IdleWait, boost::intrusive::constant_time_size<false>>;

// One network thread: its own io_context, acceptors, pools and request ids. Nothing in
// here is touched by another thread, so nothing needs a lock.
struct Worker {
  Worker(std::uint32_t index_, std::uint32_t threads_, Runtime& runtime_)
      : io(1), index(index_), threads(threads_), runtime(runtime_), ids(index_), flow(runtime_) {}

  net::asio::io_context io;  // first member: destroyed last, after everything using it
  std::uint32_t index;
  std::uint32_t threads;  // how many workers share the process-wide limits
  Runtime& runtime;
  RequestIdGenerator ids;
  TraceContextGenerator traces;
  PaymentFlow flow;
  std::shared_ptr<ThreadSnapshot> current;  // replaced on this thread when a reload lands
  std::vector<std::unique_ptr<net::tcp::acceptor>> acceptors;  // per listener
  // Sessions waiting for a keep-alive connection's next request: a drain closes them at
  // once instead of waiting out their idle timeout (IdleWait below).
  IdleWaits idle_waits;
};

// This thread's view of `snapshot`: fresh upstreams sized to this thread's share of each
// processor's limits. Call on the worker's thread.
std::shared_ptr<ThreadSnapshot> make_thread_snapshot(Worker& worker, std::shared_ptr<const Snapshot> snapshot);

// Runs one merchant connection to its end, with the TLS context and limits of the
// snapshot that was current when it was accepted.
net::asio::awaitable<void> serve_https(Worker& worker, ListenerContext& listener, net::tcp::socket socket);
net::asio::awaitable<void> serve_iso8583(Worker& worker, ListenerContext& listener, net::tcp::socket socket);

}  // namespace paygate::gateway
