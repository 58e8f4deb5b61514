// Shared by the audit tests: keyrings with audit keys, a temporary audit folder, and
// reading the records of a stream back.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/files.h"
#include "audit/verify.h"
#include "tests/crypto/test_keys.h"
#include "tests/support/process.h"

namespace paygate::audit::test {

using crypto::KeyState;
using crypto::KeyUse;

inline std::shared_ptr<const crypto::KeyRing> audit_ring(std::vector<std::pair<std::string, KeyState>> keys,
                                                         std::uint8_t fill = 0x11) {
  std::vector<crypto::Key> list;
  for (auto& [id, state] : keys) list.push_back(crypto::test::key(id, KeyUse::audit, state, fill++));
  return crypto::test::ring(std::move(list));
}

inline AuditLogOptions options_for(const std::filesystem::path& dir) {
  AuditLogOptions o;
  o.dir = dir;
  o.stream = "gateway";
  o.batch_interval = std::chrono::milliseconds(1);
  return o;
}

inline std::vector<std::filesystem::path> stream_files(const std::filesystem::path& dir, const std::string& stream = "gateway") {
  return list_audit_files(dir)[stream];
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline void write_lines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
}

inline std::vector<boost::json::object> records_of(const std::filesystem::path& dir) {
  std::vector<boost::json::object> out;
  for (const auto& f : stream_files(dir)) {
    for (const auto& line : lines_of(f)) out.push_back(boost::json::parse(line).as_object());
  }
  return out;
}

inline void write_events(AuditLog& log, int n, const std::string& type = "request") {
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(log.record(AuditEvent(type).with("request_id", "r-" + std::to_string(i)).with("result", "approved")).ok());
  }
}

}  // namespace paygate::audit::test
