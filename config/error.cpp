#include "config/error.h"

namespace paygate::config {

std::string ConfigError::to_string() const {
  std::string out = file + ":";
  if (line > 0) out += std::to_string(line) + ":" + std::to_string(column) + ":";
  out += " ";
  if (!path.empty()) out += path + ": ";
  return out + message;
}

}  // namespace paygate::config
