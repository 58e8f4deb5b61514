// A process that writes audit records as fast as it can (fsync always, several writer
// threads) and prints the number of each record once record() has acknowledged it, so
// that a test can kill -9 it and check that every acknowledged record is on disk.
#include <cstdio>
#include <thread>
#include <vector>

#include "tests/audit/audit_test_support.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  using namespace paygate;
  auto ring = audit::test::audit_ring({{"audit-1", crypto::KeyState::primary}});
  auto options = audit::test::options_for(argv[1]);
  options.fsync = audit::AuditLogOptions::Fsync::always;
  auto log = audit::AuditLog::open(options, ring);
  if (!log) return 1;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (long i = 0;; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        if (!log.value()->record(audit::AuditEvent("request").with("request_id", id)).ok()) return;
        std::printf("%s\n", id.c_str());
        std::fflush(stdout);
      }
    });
  }
  for (auto& t : threads) t.join();
}
