// The ready file: written once a server listens, so that scripts and tests started with
// port 0 learn the real ports without parsing logs.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"

namespace paygate::cli {

// Writes {"pid":N,"listeners":{"name":"host:port",...}} atomically (temp file + rename).
// Returns false when the file cannot be written.
bool write_ready_file(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, config::Endpoint>>& listeners);

}  // namespace paygate::cli
