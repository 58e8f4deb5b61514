// paygate's subcommands: each is a spec (for parsing and --help) and a function.
#pragma once

#include <vector>

#include "cli/args.h"

namespace paygate::cli {

// Exit codes shared by every command.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;  // the command ran and failed (bad config, bind error...)
inline constexpr int exit_usage = 2;    // the command line itself was wrong

struct Command {
  CommandSpec spec;
  int (*run)(const Args& args);
};

Command serve_command();
Command check_config_command();
Command version_command();
Command keys_generate_command();
Command keys_list_command();
Command crypto_ff1_command();
Command crypto_jwe_command();
Command tokens_command();
Command keys_rewrap_command();
Command iso8583_describe_command();
Command iso8583_pack_command();
Command iso8583_send_command();
Command fraud_explain_command();
Command validate_command();
Command audit_verify_command();
Command audit_scan_command();
Command audit_anchor_command();
Command audit_query_command();
Command audit_report_command();
Command keys_destroy_command();
Command keys_wrap_command();
Command kek_init_command();
Command kek_components_generate_command();
Command kek_rotate_command();

}  // namespace paygate::cli
