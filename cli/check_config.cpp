#include <cstdio>

#include "config/loader.h"
#include "cli/command.h"

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
            for (const auto& w : config::warnings(c)) std::fprintf(stderr, "warning: %s\n", w.c_str());
            std::printf("%s: ok (%zu listener%s, %zu processor%s, %zu route%s)\n", file.c_str(),
                        c.listeners.size(), c.listeners.size() == 1 ? "" : "s",
                        c.processors.size(), c.processors.size() == 1 ? "" : "s",
                        c.routes.size(), c.routes.size() == 1 ? "" : "s");
            // The layout each token profile gives each PAN length (docs/tokens.md has the rule).
            for (const auto& p : c.token_profiles) {
              std::printf("token profile %s (%s): ", p.name.c_str(), p.kind == tokens::TokenKind::vault ? "vault" : "fpe");
              for (int length = p.min_length; length <= p.max_length; ++length) {
                const auto l = *tokens::layout_for(p, length);
                std::printf("%s%d=%d+%d+%d", length == p.min_length ? "" : " ", length, l.front, l.middle, l.back);
              }
              std::printf("  (length=kept front+replaced middle+kept back)\n");
            }
            return exit_ok;
          }};
}

}  // namespace paygate::cli
