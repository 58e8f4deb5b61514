#include "protocol/payment/field_path.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace paygate::protocol {
namespace {

FieldPath path(std::string_view text) {
  std::string error;
  auto p = FieldPath::parse(text, error);
  EXPECT_TRUE(p) << text << ": " << error;
  return p.value_or(FieldPath{});
}

TEST(FieldPath, ParsesTheDocumentedSubset) {
  EXPECT_EQ(path("$").steps().size(), 0u);
  EXPECT_EQ(path("$.card.number").steps().size(), 2u);
  EXPECT_EQ(path("$.items[*].pan").steps().size(), 3u);
  EXPECT_EQ(path("$.payments[0].card.cvv").steps().size(), 4u);
  EXPECT_EQ(path("$.a_b-c").steps().size(), 1u);
}

TEST(FieldPath, RefusesEverythingElseWithAPosition) {
  struct Bad {
    const char* text;
    const char* error;
  };
  for (const Bad& b : {Bad{"", "path must start with $"}, Bad{"card.number", "path must start with $"},
                       Bad{"$.", "expected a member name at position 2"}, Bad{"$..a", "expected a member name at position 2"},
                       Bad{"$.a[", "unclosed [ at position 3"}, Bad{"$.a[x]", "expected [N] or [*] at position 3"},
                       Bad{"$.a[-1]", "expected [N] or [*] at position 3"}, Bad{"$.a b", "unexpected character at position 3"},
                       Bad{"$['a']", "expected [N] or [*] at position 1"}}) {
    std::string error;
    EXPECT_FALSE(FieldPath::parse(b.text, error)) << b.text;
    EXPECT_EQ(error, b.error) << b.text;
  }
  std::string error;
  EXPECT_FALSE(FieldPath::parse("$" + std::string(300, 'a'), error));
  std::string deep = "$";
  for (int i = 0; i < 40; ++i) deep += ".a";
  EXPECT_FALSE(FieldPath::parse(deep, error));
}

TEST(FieldPath, VisitsEveryNamedValueWithItsConcretePath) {
  auto doc = boost::json::parse(R"({"card":{"number":"4111"},"items":[{"pan":"1"},{"x":2},{"pan":"3"}]})");
  std::vector<std::string> seen;
  auto visit = [&](boost::json::value& v, const std::string& where) {
    seen.push_back(where + "=" + boost::json::serialize(v));
    v = "tok";
    return Visit::keep;
  };
  EXPECT_EQ(apply(path("$.items[*].pan"), doc, visit), 2u);
  EXPECT_EQ(seen, (std::vector<std::string>{"$.items[0].pan=\"1\"", "$.items[2].pan=\"3\""}));
  EXPECT_EQ(apply(path("$.card.number"), doc, visit), 1u);
  EXPECT_EQ(apply(path("$.card.missing"), doc, visit), 0u);  // absent: nothing to do
  EXPECT_EQ(apply(path("$.card[0]"), doc, visit), 0u);       // not an array
  EXPECT_EQ(boost::json::serialize(doc), R"({"card":{"number":"tok"},"items":[{"pan":"tok"},{"x":2},{"pan":"tok"}]})");
}

TEST(FieldPath, RemovesWhatTheVisitorDropsAndKeepsOrderOfTheRest) {
  auto doc = boost::json::parse(R"({"a":1,"card":{"cvv":"123","number":"4111","expiry":"12/30"},"items":[{"pan":"1"},{"pan":"2"}],"z":2.50})");
  auto drop = [](boost::json::value&, const std::string&) { return Visit::remove; };
  EXPECT_EQ(apply(path("$.card.cvv"), doc, drop), 1u);
  EXPECT_EQ(apply(path("$.items[*]"), doc, drop), 2u);
  EXPECT_EQ(boost::json::serialize(doc), R"({"a":1,"card":{"number":"4111","expiry":"12/30"},"items":[],"z":2.5E0})");
}

}  // namespace
}  // namespace paygate::protocol
