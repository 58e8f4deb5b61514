// Loads and validates a paygate YAML configuration file.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/error.h"

namespace paygate::config {

// Either a fully validated Config, or every problem found (never both, never neither).
struct LoadResult {
  std::shared_ptr<const Config> config;
  std::vector<ConfigError> errors;  // sorted by position in the file

  bool ok() const { return config != nullptr; }
};

// Reads `file`, resolves relative file paths against the file's directory, checks every
// rule, and returns all problems at once. Does not throw.
LoadResult load(const std::filesystem::path& file);

// What a valid configuration still does that an operator should know about, one line
// each ("vault.tls: not set: ..."): check-config prints them, serve logs them at start.
std::vector<std::string> warnings(const Config& config);

// As load(), with the YAML given as text; `file` names it in errors and anchors relative
// paths. For tests and for `paygate validate`.
LoadResult load_from_string(std::string_view yaml, const std::filesystem::path& file);

}  // namespace paygate::config
