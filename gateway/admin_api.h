// What the admin listener answers, to whom, and the record each call leaves.
//
//   GET  /healthz, /readyz, /metrics   status, for probes and scrapers: no card data,
//                                      no state change; not rate-limited
//   POST /admin/reload                 build-then-swap a new configuration
//   POST /admin/fraud/explain          signals for a payment named by request id or token
//
// Who: on plain HTTP (loopback only, enforced by the config) the host's users; with TLS
// only a client certificate whose SAN URI or sha256 fingerprint is in
// admin.administrators (read from the live snapshot, so a reload changes it). Anyone else
// gets 403. Every /admin/ call and every refusal is audited ("admin_call": method, path,
// client address, administrator, status — never a body; refusals per client address
// under an AuditThrottle, the next record counting those left out), and /admin/ calls
// share a token bucket (admin.rate_limit): past it, 429, with one record per second
// counting them.
//
// Thread-safety: handle() is called on the admin thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gateway/admin_server.h"
#include "gateway/flow/audit_throttle.h"

namespace paygate::audit {
class AuditLog;
}
namespace paygate::fraud {
class Screener;
}

namespace paygate::gateway {

struct Snapshot;

struct AdminApiHooks {
  std::function<std::shared_ptr<const Snapshot>()> snapshot;
  std::function<AdminAnswer(const Snapshot&)> readiness;
  std::function<AdminAnswer(const Snapshot&)> metrics;
  std::function<AdminAnswer(const std::string& administrator)> reload;
  fraud::Screener* screener = nullptr;   // null without fraud profiles
  audit::AuditLog* audit_log = nullptr;  // null without an audit section
};

class AdminApi {
 public:
  explicit AdminApi(AdminApiHooks hooks) : hooks_(std::move(hooks)) {}
  AdminAnswer handle(const AdminRequest& request);

  // The administrator a request comes from, by the rules above; nullopt: not one.
  static std::optional<std::string> administrator(const config::Admin& admin, const AdminRequest& request);

 private:
  bool take_call(const config::Admin& admin);
  void record(const AdminRequest& request, const std::string& who, unsigned status, std::string_view detail);

  AdminApiHooks hooks_;
  AuditThrottle refusals_;  // 403 records per client address: a flood cannot fill the audit disk
  double bucket_ = -1;  // calls left; -1: not started (full)
  std::chrono::steady_clock::time_point refilled_{};
  std::uint64_t limited_since_record_ = 0;
  std::chrono::steady_clock::time_point limited_recorded_{};
};

}  // namespace paygate::gateway
