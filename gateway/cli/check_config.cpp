#include <cstdio>

#include "config/loader.h"
#include "gateway/cli/command.h"

namespace paygate::cli {

Command check_config_command() {
  return {{"check-config",
           "Load and validate a configuration file; print every problem (file:line:column: key: "
           "message) and exit 1 if there is any.",
           "",
           {{"config", "FILE", "configuration file to check", true}}},
          [](const Args& args) {
            const std::string file = *args.value("config");
            auto result = config::load(file);
            if (!result.ok()) {
              for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
              std::fprintf(stderr, "%zu problem%s found\n", result.errors.size(),
                           result.errors.size() == 1 ? "" : "s");
              return exit_failure;
            }
            const auto& c = *result.config;
            std::printf("%s: ok (%zu listener%s, %zu processor%s, %zu route%s)\n", file.c_str(),
                        c.listeners.size(), c.listeners.size() == 1 ? "" : "s",
                        c.processors.size(), c.processors.size() == 1 ? "" : "s",
                        c.routes.size(), c.routes.size() == 1 ? "" : "s");
            return exit_ok;
          }};
}

}  // namespace paygate::cli
