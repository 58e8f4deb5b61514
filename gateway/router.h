// Maps (method, path) to a configured route. Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"

namespace paygate::gateway {

struct RouteMatchResult {
  const config::Route* route = nullptr;  // set on a match
  bool path_known = false;               // the path exists for some other method (405)
  std::string allowed_methods;           // for the Allow header of a 405
};

// Lets the path map be searched with a string_view, without building a string per request.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class Router {
 public:
  explicit Router(const config::Config& config);

  // `path` without the query string.
  RouteMatchResult find(std::string_view method, std::string_view path) const;

 private:
  std::unordered_map<std::string, std::vector<const config::Route*>, StringHash, std::equal_to<>>
      by_path_;
};

}  // namespace paygate::gateway
