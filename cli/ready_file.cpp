#include "cli/ready_file.h"

#include <unistd.h>

#include <fstream>
#include <system_error>

namespace paygate::cli {

bool write_ready_file(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, config::Endpoint>>& listeners) {
  std::string json = "{\"pid\":" + std::to_string(::getpid()) + ",\"listeners\":{";
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    // Listener names come from the operator's config: letters, digits, '-' and '_' in
    // practice; quotes and backslashes are escaped anyway.
    std::string name;
    for (char c : listeners[i].first) {
      if (c == '"' || c == '\\') name += '\\';
      name += c;
    }
    json += (i ? "," : "") + ("\"" + name + "\":\"" + listeners[i].second.to_string() + "\"");
  }
  json += "}}\n";
  std::filesystem::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!(out << json)) return false;
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  return !ec;
}

}  // namespace paygate::cli
