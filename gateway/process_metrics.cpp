#include "gateway/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace paygate::gateway {
namespace {

void metric(std::string& out, const char* name, const char* type, const char* help, double value) {
  append_single_metric(out, name, type, help, fmt::format("{}", value));
}

// Seconds since the epoch at which the machine booted (/proc/stat btime), read once.
double read_boot_time() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime" && stat >> value) return value;
    stat.ignore(4096, '\n');
  }
  return 0;
}

double boot_time() {
  static const double boot = read_boot_time();
  return boot;
}

}  // namespace

void append_single_metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                          std::string_view value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

std::string render_process_metrics() {
  std::string out;
  // /proc/self/stat: the command name may hold spaces, so fields count from its ')'.
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(text.substr(close + 2));
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
    // After ')': state is field 3, so field N is f[N - 3].
    if (f.size() > 21) {
      const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
      const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
      metric(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
             (std::stod(f[14 - 3]) + std::stod(f[15 - 3])) / ticks);
      metric(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", std::stod(f[23 - 3]));
      metric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
             std::stod(f[24 - 3]) * page);
      if (const double boot = boot_time(); boot > 0) {
        metric(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
               boot + std::stod(f[22 - 3]) / ticks);
      }
    }
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    ++fds;
  }
  if (!ec) metric(out, "process_open_fds", "gauge", "Number of open file descriptors.", static_cast<double>(fds));
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    metric(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", static_cast<double>(limit.rlim_cur));
  }
  return out;
}

}  // namespace paygate::gateway
