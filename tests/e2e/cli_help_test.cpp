// Help everywhere (cli/help_pages.h): every command group lists its subcommands, the
// version is one flag away, and the man page and bash completion generated at build time
// come from the same specs — the man page formats without a groff warning, and the
// completion completes what the binary accepts.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

std::string paygate() { return binary("paygate").string(); }

TEST(CliHelp, EveryGroupListsItsSubcommands) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> groups = {
      {"keys", {"generate", "list", "wrap", "rewrap", "destroy"}},
      {"kek", {"init", "components generate", "rotate"}},
      {"audit", {"verify", "scan", "anchor"}},
      {"crypto", {"ff1", "jwe"}},
      {"iso8583", {"describe", "pack", "send"}},
      {"fraud", {"explain"}}};
  for (const auto& [group, subcommands] : groups) {
    auto help = run_command(paygate() + " " + group + " --help 2>&1");
    EXPECT_EQ(help.exit_code, 0) << group << ": " << help.output;
    EXPECT_EQ(help.output.rfind("usage: paygate " + group + " SUBCOMMAND", 0), 0u) << help.output;
    for (const auto& s : subcommands) EXPECT_NE(help.output.find("\n  " + s + " "), std::string::npos) << group << " " << s;
    auto bare = run_command(paygate() + " " + group + " 2>&1");
    EXPECT_EQ(bare.exit_code, 2) << group;
    EXPECT_EQ(bare.output, help.output) << "the same list, as a usage error";
  }
  auto unknown = run_command(paygate() + " keys bogus 2>&1");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.output.rfind("paygate keys: unknown subcommand \"bogus\"", 0), 0u) << unknown.output;
  // A single-word command still has its own --help; "tokens" takes its action as an argument.
  EXPECT_EQ(run_command(paygate() + " tokens --help").exit_code, 0);
  auto version = run_command(paygate() + " --version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("paygate ", 0), 0u);
  EXPECT_EQ(version.output, run_command(paygate() + " version").output);
}

TEST(CliHelp, TheManPageAndCompletionComeFromTheSameSpecs) {
  const auto share = binary("paygate").parent_path().parent_path() / "share";
  const std::string man = read_file(share / "paygate.1");
  EXPECT_EQ(man, run_command(paygate() + " --man-page").output) << "generated at build time from this binary";
  for (const char* command : {"paygate keys wrap", "paygate kek rotate", "paygate audit verify", "paygate serve"})
    EXPECT_NE(man.find(".SS \"" + std::string(command) + "\""), std::string::npos) << command;
  auto groff = run_command("groff -man -ww -z " + (share / "paygate.1").string() + " 2>&1");
  EXPECT_EQ(groff.exit_code, 0);
  EXPECT_EQ(groff.output, "") << "groff warnings";
  auto rendered = run_command("MANWIDTH=100 man -l " + (share / "paygate.1").string() + " 2>&1");
  EXPECT_NE(rendered.output.find("--shred"), std::string::npos) << rendered.output.substr(0, 500);

  const std::string completion = (share / "paygate.bash-completion").string();
  const auto complete = [&](const std::string& words, int current) {
    return run_command("bash -c 'source " + completion + "; COMP_WORDS=(" + words + "); COMP_CWORD=" +
                       std::to_string(current) + "; _paygate; echo ${COMPREPLY[@]}'")
        .output;
  };
  EXPECT_EQ(complete("paygate ke \"\"", 1), "kek keys\n");
  EXPECT_EQ(complete("paygate keys w", 2), "wrap\n");
  EXPECT_EQ(complete("paygate kek components g", 3), "generate\n");
  EXPECT_EQ(complete("paygate keys wrap --sh", 3), "--shred\n");
  EXPECT_EQ(complete("paygate --ver", 1), "--version\n");
}

}  // namespace
}  // namespace paygate::test
