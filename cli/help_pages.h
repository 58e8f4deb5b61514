// Help in every form, from the one source of truth — the command specs: a group's
// overview (`paygate keys --help`), the man page paygate(1) and the bash completion
// script, both generated at build time by the binary itself and installed by the package.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cli/command.h"

namespace paygate::cli {

// Whether `words` begin longer command names ("keys", "kek", "kek components"...).
bool is_group(std::span<const Command> commands, std::string_view words);

// "usage: paygate keys SUBCOMMAND ..." with each subcommand and its summary.
std::string group_overview(std::span<const Command> commands, std::string_view group);

// paygate(1) in roff (man(7) macros).
std::string man_page(std::span<const Command> commands, std::string_view version);

// A bash completion script: command words, then each command's options; file names
// after options that take a FILE, DIR or PATH.
std::string bash_completion(std::span<const Command> commands);

}  // namespace paygate::cli
