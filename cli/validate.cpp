// paygate validate --route NAME --config FILE: checks one JSON message (stdin) as the
// gateway would for that route, and prints the problem+json it would answer, or nothing
// (exit 0) when the message is valid.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>

#include "config/loader.h"
#include "cli/command.h"
#include "gateway/http/problem.h"
#include "protocol/payment/json_decode.h"
#include "protocol/payment/validation.h"

namespace paygate::cli {
namespace {

int validate(const Args& args) {
  auto loaded = config::load(*args.value("config"));
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return exit_failure;
  }
  const std::string name = *args.value("route");
  const auto& routes = loaded.config->routes;
  auto route = std::find_if(routes.begin(), routes.end(), [&](const config::Route& r) { return r.name == name; });
  if (route == routes.end()) {
    std::fprintf(stderr, "paygate validate: no route named %s\n", name.c_str());
    return exit_usage;
  }
  const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  protocol::JsonLimits limits;
  limits.max_bytes = loaded.config->listeners.front().limits.max_body;
  auto decoded = protocol::decode_json(input, limits);
  std::vector<protocol::ValidationIssue> issues;
  if (auto* problem = std::get_if<protocol::JsonProblem>(&decoded)) {
    issues.push_back({problem->path, problem->code});
  } else if (route->message) {
    // The month in UTC, as the gateway reads it for expiry checks.
    const auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
    protocol::ValidationPolicy policy;
    policy.max_amount_major = route->max_amount;
    policy.allow_unknown_fields = route->pass_unknown_fields;
    policy.current_year = static_cast<int>(today.year());
    policy.current_month = static_cast<int>(static_cast<unsigned>(today.month()));
    issues = protocol::validate_message(*route->message, std::get<boost::json::value>(decoded), policy);
  }
  if (issues.empty()) return exit_ok;
  std::vector<gateway::ProblemEntry> entries;
  for (const auto& i : issues) entries.push_back({i.path, i.code});
  std::printf("%s\n", gateway::problem_body(gateway::problems::invalid_message_rules, "-", entries).c_str());
  return exit_failure;
}

}  // namespace

Command validate_command() {
  return {{"validate",
           "Read one JSON message on stdin and print the problem+json the gateway would answer for "
           "the route (nothing, exit 0, when it is valid).",
           "",
           {{"route", "NAME", "route whose rules apply", true}, {"config", "FILE", "configuration", true}}},
          validate};
}

}  // namespace paygate::cli
