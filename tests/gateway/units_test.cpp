// Unit tests for the gateway's small pure parts: routing, problem bodies, request ids,
// and command-line parsing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

#include "config/loader.h"
#include "cli/args.h"
#include "gateway/http/problem.h"
#include "gateway/request_id.h"
#include "gateway/router.h"

namespace paygate {
namespace {

config::Route route(std::string name, std::string method, std::string path) {
  config::Route r;
  r.name = std::move(name);
  r.match.method = std::move(method);
  r.match.path = std::move(path);
  r.processor = "sim";
  r.upstream_path = "/";
  return r;
}

config::Config routes_config() {
  config::Config c;
  c.routes.push_back(route("pay", "POST", "/v1/payments"));
  c.routes.push_back(route("list", "GET", "/v1/payments"));
  c.routes.push_back(route("refund", "POST", "/v1/refunds"));
  return c;
}

TEST(Router, MatchesMethodAndExactPath) {
  auto c = routes_config();
  gateway::Router router(c);
  auto m = router.find("POST", "/v1/payments");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->name, "pay");
  EXPECT_EQ(router.find("GET", "/v1/payments").route->name, "list");
  EXPECT_EQ(router.find("POST", "/v1/refunds").route->name, "refund");
}

TEST(Router, TellsUnknownPathsFromWrongMethods) {
  auto c = routes_config();
  gateway::Router router(c);
  auto none = router.find("POST", "/v1/payments/");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_FALSE(none.path_known);
  auto wrong = router.find("DELETE", "/v1/payments");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_TRUE(wrong.path_known);
  EXPECT_EQ(wrong.allowed_methods, "POST, GET");
}

TEST(Problem, IsValidJsonWithTheRequestId) {
  std::string body = gateway::problem_body(gateway::problems::body_too_large, "abc123");
  auto v = boost::json::parse(body).as_object();
  EXPECT_EQ(v["type"], "urn:paygate:problem:body-too-large");
  EXPECT_EQ(v["status"], 413);
  EXPECT_EQ(v["title"], "Content Too Large");
  EXPECT_EQ(v["request_id"], "abc123");
}

TEST(RequestId, Is32HexCharactersAndUnique) {
  gateway::RequestIdGenerator a(0), b(1);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    for (auto* gen : {&a, &b}) {
      std::string id(gen->next().view());
      ASSERT_EQ(id.size(), 32u);
      ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
      ASSERT_TRUE(seen.insert(id).second) << id;
    }
  }
}

const cli::CommandSpec spec{"demo", "A demo command.", "", {{"config", "FILE", "config file", true},
                                                           {"verbose", "", "talk more", false}}};

std::optional<cli::Args> parse(std::vector<std::string> words, std::string& error) {
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  return cli::parse(spec, argv, error);
}

TEST(Args, ParsesValuesFlagsAndEqualsForm) {
  std::string error;
  auto a = parse({"--config", "x.yaml", "--verbose"}, error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->value("config"), "x.yaml");
  EXPECT_TRUE(a->flag("verbose"));
  a = parse({"--config=y.yaml"}, error);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value("config"), "y.yaml");
  EXPECT_FALSE(a->flag("verbose"));
}

TEST(Args, ReportsUsageErrors) {
  std::string error;
  EXPECT_FALSE(parse({}, error));
  EXPECT_EQ(error, "option --config is required");
  EXPECT_FALSE(parse({"--config"}, error));
  EXPECT_EQ(error, "option --config needs a value (FILE)");
  EXPECT_FALSE(parse({"--config", "a", "--colour", "red"}, error));
  EXPECT_EQ(error, "unknown option --colour");
  EXPECT_FALSE(parse({"--config", "a", "extra"}, error));
  EXPECT_EQ(error, "unexpected argument \"extra\"");
  EXPECT_FALSE(parse({"--config", "a", "--verbose=yes"}, error));
  EXPECT_EQ(error, "option --verbose takes no value");
}

TEST(Args, HelpWinsOverMissingOptions) {
  std::string error;
  auto a = parse({"--help"}, error);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->help);
  std::string text = cli::usage(spec);
  EXPECT_NE(text.find("usage: paygate demo --config FILE [--verbose]"), std::string::npos);
  EXPECT_NE(text.find("--help"), std::string::npos);
}

}  // namespace
}  // namespace paygate
