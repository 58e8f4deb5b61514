// paygate: the gateway binary and its operator tools, as subcommands.
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "cli/command.h"

namespace {

using namespace paygate::cli;

std::vector<Command> all_commands() {
  return {serve_command(),      check_config_command(), keys_generate_command(), keys_list_command(),
          keys_rewrap_command(), tokens_command(),       crypto_ff1_command(),    crypto_jwe_command(),
          iso8583_describe_command(), iso8583_pack_command(), iso8583_send_command(), fraud_explain_command(), validate_command(), audit_verify_command(),
          audit_scan_command(), audit_anchor_command(), keys_destroy_command(), keys_wrap_command(), kek_init_command(),
          kek_components_generate_command(), kek_rotate_command(), version_command()};
}

// How many words of `args` (from index 1) the command's name takes, or 0 when it does
// not match. Command names have one or two words ("serve", "keys generate").
std::size_t match(const Command& command, std::span<char* const> args) {
  std::string_view name = command.spec.name;
  std::size_t words = 0;
  while (!name.empty()) {
    const auto space = name.find(' ');
    const std::string_view word = name.substr(0, space);
    if (1 + words >= args.size() || word != args[1 + words]) return 0;
    ++words;
    name = space == std::string_view::npos ? std::string_view{} : name.substr(space + 1);
  }
  return words;
}

void print_overview(std::FILE* out) {
  std::string text = "usage: paygate COMMAND [OPTIONS]\n\npaygate is a secure payment-message gateway.\n\ncommands:\n";
  for (const auto& c : all_commands()) {
    std::string left = "  " + std::string(c.spec.name);
    left.resize(std::max<std::size_t>(left.size() + 2, 20), ' ');
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
    const std::size_t words = match(command, args);
    if (words == 0) continue;
    std::string error;
    auto parsed = parse(command.spec, args.subspan(1 + words), error);
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
