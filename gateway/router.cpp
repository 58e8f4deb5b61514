#include "gateway/router.h"

namespace paygate::gateway {

Router::Router(const config::Config& config) {
  for (const auto& route : config.routes) {
    if (!route.is_iso8583()) by_path_[route.match.path].push_back(&route);  // ISO 8583 routes match on MTI
  }
}

RouteMatchResult Router::find(std::string_view method, std::string_view path) const {
  RouteMatchResult result;
  auto it = by_path_.find(path);
  if (it == by_path_.end()) return result;
  result.path_known = true;
  for (const config::Route* route : it->second) {
    if (route->match.method == method) {
      result.route = route;
      return result;
    }
    if (!result.allowed_methods.empty()) result.allowed_methods += ", ";
    result.allowed_methods += route->match.method;
  }
  return result;
}

}  // namespace paygate::gateway
