// A small, strict command-line parser for paygate's subcommands: `--name value` and
// `--flag` options, positional arguments where a command takes them, `--help` everywhere.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace paygate::cli {

struct OptionSpec {
  std::string_view name;        // without the leading "--"
  std::string_view value_name;  // empty for a flag
  std::string_view help;
  bool required = false;
};

struct CommandSpec {
  std::string_view name;        // e.g. "serve"
  std::string_view summary;     // one line
  std::string_view positional;  // e.g. "FILES..."; empty when none are taken
  std::vector<OptionSpec> options;
};

struct Args {
  std::map<std::string, std::string, std::less<>> values;  // options with values
  std::vector<std::string> flags;
  std::vector<std::string> positional;
  bool help = false;

  std::optional<std::string> value(std::string_view name) const;
  bool flag(std::string_view name) const;
};

// Parses `argv` (after the command name). On a usage error returns nullopt and sets `error`.
std::optional<Args> parse(const CommandSpec& spec, std::span<char* const> argv, std::string& error);

// The --help text for a command.
std::string usage(const CommandSpec& spec);

}  // namespace paygate::cli
