// paygate: the gateway binary and its operator tools, as subcommands.
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "gateway/cli/command.h"

namespace {

using namespace paygate::cli;

std::vector<Command> all_commands() {
  return {serve_command(), check_config_command(), version_command()};
}

void print_overview(std::FILE* out) {
  std::string text = "usage: paygate COMMAND [OPTIONS]\n\npaygate is a secure payment-message gateway.\n\ncommands:\n";
  for (const auto& c : all_commands()) {
    std::string left = "  " + std::string(c.spec.name);
    left.resize(std::max<std::size_t>(left.size() + 2, 18), ' ');
    text += left + std::string(c.spec.summary) + "\n";
  }
  text += "\nRun 'paygate COMMAND --help' for a command's options.\n";
  std::fputs(text.c_str(), out);
}

}  // namespace

int main(int argc, char** argv) {
  std::span<char* const> args(argv, static_cast<std::size_t>(argc));
  if (args.size() < 2) {
    print_overview(stderr);
    return exit_usage;
  }
  std::string_view name = args[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_overview(stdout);
    return exit_ok;
  }
  for (const auto& command : all_commands()) {
    if (command.spec.name != name) continue;
    std::string error;
    auto parsed = parse(command.spec, args.subspan(2), error);
    if (!parsed) {
      std::fprintf(stderr, "paygate %s: %s\n\n%s", command.spec.name.data(), error.c_str(),
                   usage(command.spec).c_str());
      return exit_usage;
    }
    if (parsed->help) {
      std::fputs(usage(command.spec).c_str(), stdout);
      return exit_ok;
    }
    return command.run(*parsed);
  }
  std::fprintf(stderr, "paygate: unknown command \"%s\"\n\n", std::string(name).c_str());
  print_overview(stderr);
  return exit_usage;
}
