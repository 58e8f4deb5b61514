#include "cli/args.h"

#include <algorithm>

namespace paygate::cli {

std::optional<std::string> Args::value(std::string_view name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

bool Args::flag(std::string_view name) const {
  return std::find(flags.begin(), flags.end(), name) != flags.end();
}

std::optional<Args> parse(const CommandSpec& spec, std::span<char* const> argv, std::string& error) {
  Args args;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      args.help = true;
      return args;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      if (spec.positional.empty()) {
        error = "unexpected argument \"" + std::string(arg) + "\"";
        return std::nullopt;
      }
      args.positional.emplace_back(arg);
      continue;
    }
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> inline_value;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto option = std::find_if(spec.options.begin(), spec.options.end(),
                               [&](const OptionSpec& o) { return o.name == name; });
    if (option == spec.options.end()) {
      error = "unknown option --" + std::string(name);
      return std::nullopt;
    }
    if (option->value_name.empty()) {
      if (inline_value) {
        error = "option --" + std::string(name) + " takes no value";
        return std::nullopt;
      }
      args.flags.emplace_back(name);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argv.size()) {
        error = "option --" + std::string(name) + " needs a value (" + std::string(option->value_name) + ")";
        return std::nullopt;
      }
      inline_value = argv[++i];
    }
    args.values[std::string(name)] = std::string(*inline_value);
  }
  for (const auto& o : spec.options) {
    if (o.required && !args.values.contains(o.name)) {
      error = "option --" + std::string(o.name) + " is required";
      return std::nullopt;
    }
  }
  return args;
}

std::string usage(const CommandSpec& spec) {
  std::string out = "usage: paygate " + std::string(spec.name);
  for (const auto& o : spec.options) {
    std::string part = "--" + std::string(o.name);
    if (!o.value_name.empty()) part += " " + std::string(o.value_name);
    out += o.required ? " " + part : " [" + part + "]";
  }
  if (!spec.positional.empty()) out += " " + std::string(spec.positional);
  out += "\n\n" + std::string(spec.summary) + "\n";
  if (!spec.options.empty()) {
    out += "\noptions:\n";
    for (const auto& o : spec.options) {
      std::string left = "  --" + std::string(o.name);
      if (!o.value_name.empty()) left += " " + std::string(o.value_name);
      left.resize(std::max<std::size_t>(left.size() + 2, 28), ' ');
      out += left + std::string(o.help) + "\n";
    }
  }
  out += "  --help                    show this help\n";
  return out;
}

}  // namespace paygate::cli
