#include "gateway/admin_api.h"

#include <algorithm>

#include "audit/audit_log.h"
#include "gateway/fraud_explain.h"
#include "gateway/log.h"
#include "gateway/snapshot.h"

namespace paygate::gateway {
namespace {

constexpr const char* text = "text/plain; charset=utf-8";

}  // namespace

std::optional<std::string> AdminApi::administrator(const config::Admin& admin, const AdminRequest& request) {
  if (!admin.tls) return std::string("loopback");  // the config allows plain HTTP on loopback only
  if (!request.peer) return std::nullopt;
  const auto& allowed = admin.administrators;
  for (const auto& uri : request.peer->san_uris) {
    if (std::find(allowed.begin(), allowed.end(), uri) != allowed.end()) return uri;
  }
  const std::string fingerprint = "sha256:" + request.peer->sha256_hex;
  if (std::find(allowed.begin(), allowed.end(), fingerprint) != allowed.end()) return fingerprint;
  return std::nullopt;
}

bool AdminApi::take_call(const config::Admin& admin) {
  const auto now = std::chrono::steady_clock::now();
  const double burst = admin.rate_burst;
  if (bucket_ < 0) {
    bucket_ = burst;
  } else {
    const double seconds = std::chrono::duration<double>(now - refilled_).count();
    bucket_ = std::min(burst, bucket_ + seconds * admin.rate_per_second);
  }
  refilled_ = now;
  if (bucket_ < 1) return false;
  bucket_ -= 1;
  return true;
}

void AdminApi::record(const AdminRequest& request, const std::string& who, unsigned status, std::string_view detail) {
  if (!hooks_.audit_log) return;
  audit::AuditEvent event("admin_call");
  event.with("method", request.method)
      .with("path", request.path)
      .with("client_ip", request.client_ip)
      .with("administrator", who.empty() ? boost::json::value(nullptr) : boost::json::value(who))
      .with("status", static_cast<std::int64_t>(status));
  if (!detail.empty()) event.with("detail", detail);
  if (auto s = hooks_.audit_log->record(std::move(event)); !s.ok())
    log::error("audit record refused", {{"record", "admin_call"}, {"reason", s.error().reason}});
}

AdminAnswer AdminApi::handle(const AdminRequest& request) {
  const auto snapshot = hooks_.snapshot();
  const config::Admin& admin = snapshot->config->admin;
  const auto who = administrator(admin, request);
  if (!who) {
    log::warn("admin call refused",
              {{"path", request.path}, {"client_ip", request.client_ip}, {"reason", "not_an_administrator"}});
    if (const auto admitted = refusals_.admit(request.client_ip); admitted.record) {
      record(request, "", 403,
             admitted.suppressed_before == 0
                 ? std::string("not_an_administrator")
                 : "not_an_administrator suppressed_before=" + std::to_string(admitted.suppressed_before));
    }
    return {403, text, "not an administrator\n"};
  }
  const bool status_path = request.path == "/healthz" || request.path == "/readyz" || request.path == "/metrics";
  if (status_path) {
    if (request.method != "GET") return {405, text, "GET only\n"};
    if (request.path == "/healthz") return {200, text, "ok\n"};
    if (request.path == "/readyz") return hooks_.readiness(*snapshot);
    return hooks_.metrics(*snapshot);
  }
  if (!take_call(admin)) {
    ++limited_since_record_;
    const auto now = std::chrono::steady_clock::now();
    if (now - limited_recorded_ >= std::chrono::seconds(1)) {  // a flood leaves one record a second
      record(request, *who, 429, "rate_limited calls=" + std::to_string(limited_since_record_));
      limited_since_record_ = 0;
      limited_recorded_ = now;
    }
    return {429, text, "too many admin calls; retry later\n"};
  }
  AdminAnswer answer;
  std::string detail;
  if (request.path == "/admin/reload") {
    answer = request.method != "POST" ? AdminAnswer{405, text, "POST only\n"} : hooks_.reload(*who);
  } else if (request.path == "/admin/fraud/explain") {
    if (request.method != "POST") {
      answer = {405, text, "POST only\n"};
    } else if (!hooks_.screener) {
      answer = {404, text, "no fraud profiles configured\n"};
    } else {
      std::optional<std::filesystem::path> audit_dir;
      if (snapshot->config->audit.enabled) audit_dir = snapshot->config->audit.dir;
      const LiveExplainSources sources{*snapshot->config, snapshot->fingerprints.get(), *hooks_.screener,
                                       snapshot->tokens.get(), audit_dir};
      auto result = explain_reference(sources, request.body);
      answer = result.status == 200 ? AdminAnswer{200, "application/json", result.json}
                                    : AdminAnswer{result.status, text, result.error + "\n"};
      detail = result.status == 200 ? "explained" : result.error;
    }
  } else {
    answer = {404, text, "not found\n"};
  }
  record(request, *who, answer.status, detail);
  return answer;
}

}  // namespace paygate::gateway
