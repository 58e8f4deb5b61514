// audit: where the tamper-evident audit log goes and how it syncs and rotates.
#include "config/internal/sections.h"

#include <array>

namespace paygate::config::internal {
namespace {

constexpr std::array<std::pair<std::string_view, AuditConfig::Fsync>, 2> audit_fsyncs{{
    {"always", AuditConfig::Fsync::always},
    {"batch", AuditConfig::Fsync::batch},
}};
constexpr std::array<std::pair<std::string_view, AuditConfig::OnFull>, 2> audit_on_full{{
    {"block", AuditConfig::OnFull::block},
    {"fail_closed", AuditConfig::OnFull::fail_closed},
}};

}  // namespace

AuditConfig read_audit(const YAML::Node& node, Context& ctx) {
  AuditConfig a;
  a.enabled = true;
  MapReader r(node, "audit", ctx);
  std::string dir;
  if (r.string("dir", dir, Presence::required)) {
    a.dir = (std::filesystem::path(dir).is_relative() ? ctx.base_dir / dir : std::filesystem::path(dir))
                .lexically_normal();
    const auto parent = a.dir.parent_path();
    if (!std::filesystem::is_directory(a.dir) && !std::filesystem::is_directory(parent)) {
      r.error_at("dir", "neither the folder nor its parent exists (" + a.dir.string() + ")");
    }
  }
  r.choice<AuditConfig::Fsync>("fsync", a.fsync, audit_fsyncs);
  r.duration("batch_interval", a.batch_interval, Duration{1}, Duration{10'000});
  r.count("queue_limit", a.queue_limit, 1, 10'000'000);
  r.choice<AuditConfig::OnFull>("on_full", a.on_full, audit_on_full);
  r.size("max_file_size", a.max_file_size, 4096, std::uint64_t{1} << 40);
  r.duration("rotate_interval", a.rotate_interval, Duration{1000}, Duration{366LL * 24 * 3600 * 1000});
  r.count("checkpoint_every", a.checkpoint_every, 1, 100'000'000);
  r.finish();
  return a;
}

}  // namespace paygate::config::internal
