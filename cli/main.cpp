// paygate: the gateway binary and its operator tools, as subcommands.
#include <algorithm>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "cli/command.h"
#include "cli/help_pages.h"
#include "gateway/version.h"

namespace {

using namespace paygate::cli;

std::vector<Command> all_commands() {
  return {serve_command(),      check_config_command(), keys_generate_command(), keys_list_command(),
          keys_rewrap_command(), tokens_command(),       crypto_ff1_command(),    crypto_jwe_command(),
          iso8583_describe_command(), iso8583_pack_command(), iso8583_send_command(), fraud_explain_command(), validate_command(), audit_verify_command(),
          audit_scan_command(), audit_anchor_command(), audit_query_command(), audit_report_command(), keys_destroy_command(), keys_wrap_command(), kek_init_command(),
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
    left.resize(std::max<std::size_t>(left.size() + 2, 28), ' ');
    text += left + std::string(c.spec.summary) + "\n";
  }
  text += "\nRun 'paygate COMMAND --help' for a command's options, 'paygate --version' for the version.\n";
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
  const auto commands = all_commands();
  if (name == "--help" || name == "-h" || name == "help") {
    print_overview(stdout);
    return exit_ok;
  }
  if (name == "--version") return version_command().run(Args{});
  // Generated at build time (man page, bash completion), from the same specs as --help.
  if (name == "--man-page") {
    std::fputs(man_page(commands, paygate::version).c_str(), stdout);
    return exit_ok;
  }
  if (name == "--bash-completion") {
    std::fputs(bash_completion(commands).c_str(), stdout);
    return exit_ok;
  }
  for (const auto& command : commands) {
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
  // A group ("paygate keys", "paygate kek components --help"): its subcommands.
  std::string group(name);
  for (std::size_t i = 2; i < args.size() && is_group(commands, group + " " + args[i]); ++i) group += " " + std::string(args[i]);
  if (is_group(commands, group)) {
    const std::size_t words = static_cast<std::size_t>(std::count(group.begin(), group.end(), ' ')) + 1;
    const bool help = args.size() > 1 + words && (std::string_view(args[1 + words]) == "--help" ||
                                                 std::string_view(args[1 + words]) == "-h");
    if (!help && args.size() > 1 + words) {
      std::fprintf(stderr, "paygate %s: unknown subcommand \"%s\"\n\n", group.c_str(), args[1 + words]);
    }
    std::fputs(group_overview(commands, group).c_str(), help ? stdout : stderr);
    return help ? exit_ok : exit_usage;
  }
  std::fprintf(stderr, "paygate: unknown command \"%s\"\n\n", std::string(name).c_str());
  print_overview(stderr);
  return exit_usage;
}
