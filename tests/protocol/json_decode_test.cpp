#include "protocol/payment/json_decode.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <boost/json.hpp>

namespace paygate::protocol {
namespace {

JsonProblem problem(std::string_view text, JsonLimits limits = {}) {
  auto r = decode_json(text, limits);
  EXPECT_TRUE(std::holds_alternative<JsonProblem>(r)) << text;
  return std::holds_alternative<JsonProblem>(r) ? std::get<JsonProblem>(r) : JsonProblem{};
}

TEST(JsonDecode, AcceptsOrdinaryMessagesKeepingIntegersExact) {
  const std::string text = R"({"amount":{"value":9007199254740993,"currency":"EUR"},"items":[{"a":1},{"a":2}]})";
  auto r = decode_json(text + " \r\n\t");  // trailing whitespace is fine
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(r));
  EXPECT_EQ(std::get<boost::json::value>(r).at("amount").at("value").as_int64(), 9007199254740993);
  EXPECT_EQ(std::get<boost::json::value>(r), boost::json::parse(text));

  // Keys split across escapes, nested objects closing and reopening: the same value as
  // boost::json builds, in an arena too.
  const std::string tricky = R"({"a\u0062c":{"x":[1,{"y":"z"}]},"b":{"x":2},"c\n":[],"d":{}})";
  boost::json::monotonic_resource arena;
  auto in_arena = decode_json(tricky, {}, &arena);
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(in_arena));
  EXPECT_EQ(std::get<boost::json::value>(in_arena), boost::json::parse(tricky));
}

TEST(JsonDecode, RefusesEachBadInputWithItsPathAndNeverTheValue) {
  struct Case {
    std::string text;
    const char* code;
    const char* path;
  };
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += R"({"a":)";
  deep += "1" + std::string(20, '}');
  for (const Case& c : {Case{R"({"card":{"number":"4111111111111111","number":"5555555555554444"}})", "duplicate_key", "$.card.number"},
                        Case{R"({"items":[{"pan":1},{"pan":2,"pan":3}]})", "duplicate_key", "$.items[1].pan"},
                        Case{R"({"amount":{"value":123456789012345678901234567890}})", "number_overflow", "$.amount.value"},
                        Case{R"({"rate":[1.5,1e400]})", "number_overflow", "$.rate[1]"},
                        Case{R"({"rate":0e443})", "number_overflow", "$.rate"},
                        Case{deep, "too_deep", "$.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a"},
                        Case{R"({"name":")" + std::string(5000, 'x') + "\"}", "string_too_long", "$.name"},
                        Case{R"({"card":{"number":"41111111)", "invalid_json", "$.card.number"},
                        Case{"{\"name\":\"\xff\xfe\"}", "invalid_json", "$.name"},
                        Case{"[1,2", "invalid_json", "$[1]"},
                        Case{"", "invalid_json", "$"},
                        // Found by the differential fuzzer: a value followed by more text.
                        Case{R"("nnumb:"z0""})", "invalid_json", "$"},
                        Case{R"({"a":1} {"a":2})", "invalid_json", "$"}}) {
    auto p = problem(c.text);
    EXPECT_EQ(p.code, c.code) << c.text.substr(0, 60);
    EXPECT_EQ(p.path, c.path) << c.text.substr(0, 60);
    EXPECT_EQ(p.path.find("4111"), std::string::npos);
  }
  JsonLimits small;
  small.max_bytes = 10;
  EXPECT_EQ(problem(R"({"a":"0123456789"})", small).code, "too_large");
}

}  // namespace
}  // namespace paygate::protocol
