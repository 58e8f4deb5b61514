// How issues are shown (protocol/payment/issue_text.h): JSON Pointers per RFC 6901 and a
// message for every code the API documents.
#include "protocol/payment/issue_text.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace paygate::protocol {
namespace {

TEST(IssueText, PathsBecomeJsonPointers) {
  EXPECT_EQ(json_pointer("$"), "");
  EXPECT_EQ(json_pointer("$.card.number"), "/card/number");
  EXPECT_EQ(json_pointer("$.items[2].pan"), "/items/2/pan");
  EXPECT_EQ(json_pointer("$.metadata.a~b/c"), "/metadata/a~0b~1c");
}

// Every code docs/openapi.yaml lists in ErrorCode has its own message (not the fallback),
// so a new code cannot reach merchants unexplained.
TEST(IssueText, EveryDocumentedCodeHasAMessage) {
  std::ifstream in(std::string(PAYGATE_SOURCE_DIR) + "/docs/openapi.yaml");
  std::stringstream text;
  text << in.rdbuf();
  const std::string spec = text.str();
  const auto start = spec.find("    ErrorCode:");
  const auto end = spec.find("    ErrorEntry:");
  ASSERT_NE(start, std::string::npos);
  const std::string block = spec.substr(start, end - start);
  std::set<std::string> codes;
  const std::regex item(R"(\n        - ([a-z0-9_]+))");
  for (std::sregex_iterator it(block.begin(), block.end(), item), stop; it != stop; ++it) codes.insert((*it)[1]);
  EXPECT_GT(codes.size(), 40u);
  for (const auto& code : codes) EXPECT_NE(issue_message(code), issue_message("no_such_code")) << code;
}

}  // namespace
}  // namespace paygate::protocol
