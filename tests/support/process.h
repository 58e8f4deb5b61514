// Test support: a child process (the gateway or the simulator) with its output in a log
// file, stopped when the object goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace paygate::test {

class ChildProcess {
 public:
  // Starts `argv[0]` with stdout and stderr appended to `log`.
  ChildProcess(std::vector<std::string> argv, std::filesystem::path log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::filesystem::path& log() const { return log_; }

  // Whether the process has exited; records its status.
  bool exited();
  // Sends `signal` and waits up to `timeout` for the exit; returns the exit code, or
  // 128+signal when killed by one, or nullopt when it did not exit in time.
  std::optional<int> stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for the exit without sending anything.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_;
  std::optional<int> status_;
};

// Polls until `file` exists and holds a complete JSON line (the ready file), or the
// process exits, or the timeout passes. Returns the file's text.
std::optional<std::string> wait_for_ready_file(const std::filesystem::path& file, ChildProcess& process,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Runs a shell command; returns its exit code and combined output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::string& shell_command);

std::string read_file(const std::filesystem::path& file);

// How many file descriptors process `pid` holds open (/proc/<pid>/fd), for leak checks.
std::size_t open_descriptors(pid_t pid);

// A fresh, empty directory under the test's temporary area.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace paygate::test
