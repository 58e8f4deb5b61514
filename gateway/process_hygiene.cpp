#include "gateway/process_hygiene.h"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "crypto/secret.h"


namespace paygate::gateway {
namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// The password-database entry of `user` (its strings live in `buffer`), or null.
const passwd* find_user(const std::string& user, passwd& entry, std::vector<char>& buffer) {
  passwd* found = nullptr;
  if (::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0) return nullptr;
  return found;
}

}  // namespace

std::optional<std::string> forbid_core_dumps() {
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) return errno_text("setrlimit(RLIMIT_CORE)");
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return errno_text("prctl(PR_SET_DUMPABLE)");
  return std::nullopt;
}

std::optional<std::string> check_privilege_plan(const PrivilegePlan& plan, bool is_root) {
  if (!is_root) {
    if (plan.run_as) return "--user needs the gateway to be started as root (it is not)";
    return std::nullopt;
  }
  if (plan.run_as && plan.allow_root) return "--user and --allow-root contradict each other";
  if (plan.run_as || plan.allow_root) return std::nullopt;
  return "refusing to run as root: pass --user NAME to drop to that user once the listeners are bound, "
         "or --allow-root to run as root on purpose (e.g. in a user namespace)";
}

std::optional<uid_t> user_id(const std::string& user) {
  std::vector<char> buffer(16384);
  passwd entry{};
  const passwd* found = find_user(user, entry, buffer);
  if (!found) return std::nullopt;
  return found->pw_uid;
}

std::optional<std::string> drop_privileges(const std::string& user) {
  std::vector<char> buffer(16384);
  passwd entry{};
  const passwd* found = find_user(user, entry, buffer);
  if (!found) return "no such user: " + user;
  if (found->pw_uid == 0) return "--user names root";
  if (::initgroups(found->pw_name, found->pw_gid) != 0) return errno_text("initgroups");
  if (::setgid(found->pw_gid) != 0) return errno_text("setgid");
  if (::setuid(found->pw_uid) != 0) return errno_text("setuid");
  if (::setuid(0) == 0 || ::geteuid() == 0) return "root could be regained after dropping privileges";
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return errno_text("prctl(PR_SET_DUMPABLE)");
  return std::nullopt;
}

std::uint64_t raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
    (void)::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

std::size_t locked_key_memory() {
  // Make sure the pool exists, then read what the kernel says is locked: the figure is
  // the system's, not our belief.
  crypto::reserve_locked_memory();
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmLck:", 0) == 0) return static_cast<std::size_t>(std::stoull(line.substr(6))) * 1024;
  }
  return 0;
}

}  // namespace paygate::gateway
