// Audit files on disk: each writer (a "stream": the gateway, operator commands) keeps its
// own chain in its own files, named <stream>.<first seq, 20 digits>.log so that names
// sort in chain order. One process writes a stream at a time (<stream>.lock, flock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paygate::audit {

std::string audit_file_name(std::string_view stream, std::uint64_t first_seq);

struct AuditFileName {
  std::string stream;
  std::uint64_t first_seq = 0;
};
std::optional<AuditFileName> parse_audit_file_name(std::string_view name);

// The stream the gateway writes (operator commands write "operator").
inline constexpr std::string_view gateway_stream = "gateway";

// Streams names are 1..32 of [a-z0-9_-].
bool valid_stream_name(std::string_view stream);

// The audit files in `dir`, by stream, each stream's files in chain order.
std::map<std::string, std::vector<std::filesystem::path>> list_audit_files(const std::filesystem::path& dir);

}  // namespace paygate::audit
