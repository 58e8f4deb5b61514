#include "config/config.h"

#include <algorithm>

namespace paygate::config {

const tokens::TokenProfile* Config::token_profile(std::string_view name) const {
  for (const auto& p : token_profiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Processor& Config::processor_for(const Route& route) const {
  auto it = std::find_if(processors.begin(), processors.end(),
                         [&](const Processor& p) { return p.name == route.processor; });
  return *it;
}

}  // namespace paygate::config
