#include "crypto/file_mode.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

namespace paygate::crypto {
namespace {

std::atomic<uid_t> service_owner{0};  // 0: none beyond root and ourselves

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// stat() and the regular-file check both kinds share; the problem, if any.
std::optional<std::string> stat_regular(const std::string& path, const std::string& what, struct stat& st) {
  if (::stat(path.c_str(), &st) != 0) return what + " not found: " + path;
  if (!S_ISREG(st.st_mode)) return what + " is not a regular file: " + path;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> regular_file_problem(const std::string& path, const std::string& what) {
  struct stat st {};
  return stat_regular(path, what, st);
}

void allow_secret_file_owner(uid_t uid) { service_owner.store(uid); }

std::optional<std::string> private_file_problem(const std::string& path, const std::string& what) {
  struct stat st {};
  if (auto problem = stat_regular(path, what, st)) return problem;
  if ((st.st_mode & 077) != 0) {
    return what + " is accessible by group or others (mode " + mode_text(st.st_mode) + "); run chmod 600: " + path;
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid() && st.st_uid != service_owner.load()) {
    return what + " is owned by another user: " + path;
  }
  return std::nullopt;
}

std::optional<std::string> trusted_file_problem(const std::string& path, const std::string& what) {
  struct stat st {};
  if (auto problem = stat_regular(path, what, st)) return problem;
  if ((st.st_mode & 022) != 0) {
    return what + " is writable by group or others (mode " + mode_text(st.st_mode) + "); run chmod go-w: " + path;
  }
  return std::nullopt;
}

}  // namespace paygate::crypto
