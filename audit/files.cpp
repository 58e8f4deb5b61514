#include "audit/files.h"

#include <algorithm>
#include <cstdio>

namespace paygate::audit {

bool valid_stream_name(std::string_view stream) {
  return !stream.empty() && stream.size() <= 32 && std::all_of(stream.begin(), stream.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string audit_file_name(std::string_view stream, std::uint64_t first_seq) {
  char seq[24];
  std::snprintf(seq, sizeof seq, "%020llu", static_cast<unsigned long long>(first_seq));
  return std::string(stream) + "." + seq + ".log";
}

std::optional<AuditFileName> parse_audit_file_name(std::string_view name) {
  constexpr std::string_view suffix = ".log";
  if (name.size() < suffix.size() + 22 || name.substr(name.size() - suffix.size()) != suffix) return std::nullopt;
  const std::string_view stem = name.substr(0, name.size() - suffix.size());
  const std::size_t dot = stem.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view digits = stem.substr(dot + 1);
  if (digits.size() != 20 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  AuditFileName parsed;
  parsed.stream = std::string(stem.substr(0, dot));
  if (!valid_stream_name(parsed.stream)) return std::nullopt;
  for (char c : digits) parsed.first_seq = parsed.first_seq * 10 + static_cast<std::uint64_t>(c - '0');
  return parsed;
}

std::map<std::string, std::vector<std::filesystem::path>> list_audit_files(const std::filesystem::path& dir) {
  std::map<std::string, std::vector<std::filesystem::path>> streams;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    auto parsed = parse_audit_file_name(entry.path().filename().string());
    if (parsed) streams[parsed->stream].push_back(entry.path());
  }
  for (auto& [stream, files] : streams) std::sort(files.begin(), files.end());  // 20-digit seq: name order is chain order
  return streams;
}

}  // namespace paygate::audit
