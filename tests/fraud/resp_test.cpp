// RESP2 (fraud/resp.h): commands are arrays of bulk strings whatever the bytes; every
// reply type parses, a reply split at any byte is incomplete until its last byte, and
// garbage or oversize answers are malformed rather than trusted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fraud/resp.h"

namespace paygate::fraud::resp {
namespace {

using namespace std::string_literals;

ParseStatus parse(const std::string& input, Reply& reply) {
  std::size_t used = 0;
  return parse_reply(input, reply, used);
}

TEST(Resp, ACommandIsAnArrayOfBulkStringsSoNoValueCanInjectACommand) {
  std::string out;
  const std::vector<std::string_view> args{"AUTH", "paygate", "pw\r\nFLUSHALL\r\n"};
  encode_command(args, out);
  EXPECT_EQ(out, "*3\r\n$4\r\nAUTH\r\n$7\r\npaygate\r\n$14\r\npw\r\nFLUSHALL\r\n\r\n");
  // Read back as a reply, the same bytes are one array of three strings.
  Reply r;
  ASSERT_EQ(parse(out, r), ParseStatus::complete);
  ASSERT_EQ(r.elements.size(), 3u);
  EXPECT_EQ(r.elements[2].text, "pw\r\nFLUSHALL\r\n");
}

TEST(Resp, EveryReplyTypeParses) {
  Reply r;
  std::size_t used = 0;
  ASSERT_EQ(parse_reply("+OK\r\n", r, used), ParseStatus::complete);
  EXPECT_EQ(r.type, Reply::Type::simple);
  EXPECT_EQ(r.text, "OK");
  EXPECT_EQ(used, 5u);
  ASSERT_EQ(parse("-WRONGPASS invalid\r\n", r), ParseStatus::complete);
  EXPECT_EQ(r.type, Reply::Type::error);
  EXPECT_EQ(r.text, "WRONGPASS invalid");
  ASSERT_EQ(parse(":-17\r\n", r), ParseStatus::complete);
  EXPECT_EQ(r.type, Reply::Type::integer);
  EXPECT_EQ(r.integer, -17);
  ASSERT_EQ(parse("$7\r\na\r\nb\0cd\r\n"s, r), ParseStatus::complete);  // binary-safe
  EXPECT_EQ(r.type, Reply::Type::bulk);
  EXPECT_EQ(r.text, "a\r\nb\0cd"s);
  ASSERT_EQ(parse("$-1\r\n", r), ParseStatus::complete);
  EXPECT_EQ(r.type, Reply::Type::nil);
  ASSERT_EQ(parse("*-1\r\n", r), ParseStatus::complete);
  EXPECT_EQ(r.type, Reply::Type::nil);
  ASSERT_EQ(parse("*0\r\n", r), ParseStatus::complete);
  EXPECT_EQ(r.type, Reply::Type::array);
  EXPECT_TRUE(r.elements.empty());
}

TEST(Resp, AReplySplitAtAnyByteIsIncompleteUntilItsLastAndTheNextReplyIsLeftAlone) {
  const std::string script_answer = "*4\r\n:3\r\n:1200\r\n$-1\r\n*2\r\n+a\r\n$2\r\nbc\r\n";
  for (std::size_t cut = 0; cut < script_answer.size(); ++cut) {
    Reply r;
    EXPECT_EQ(parse(script_answer.substr(0, cut), r), ParseStatus::incomplete) << "cut at " << cut;
  }
  Reply r;
  std::size_t used = 0;
  ASSERT_EQ(parse_reply(script_answer + ":9\r\n", r, used), ParseStatus::complete);
  EXPECT_EQ(used, script_answer.size());
  ASSERT_EQ(r.elements.size(), 4u);
  EXPECT_EQ(r.elements[1].integer, 1200);
  EXPECT_EQ(r.elements[2].type, Reply::Type::nil);
  EXPECT_EQ(r.elements[3].elements[1].text, "bc");
}

TEST(Resp, GarbageAndOversizeAnswersAreMalformed) {
  for (const std::string& bad : {
           "HTTP/1.1 400 Bad Request\r\n"s,  // not Redis at all
           ":12x\r\n"s, ":\r\n"s, ":99999999999999999999\r\n"s,
           "$-2\r\n"s, "$abc\r\n"s, "$3\r\nabcd\r\n"s,    // length and data disagree
           "$2097152\r\n"s,                               // over max_bulk_bytes
           "*5000\r\n"s,                                   // over max_array_elements
           "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"s,        // nested past max_depth
           "*2\r\n:1\r\n?\r\n"s,                           // a bad element spoils the array
           "+a\rb\r\n"s,                                   // a bare CR in a status line
       }) {
    Reply r;
    EXPECT_EQ(parse(bad, r), ParseStatus::malformed) << bad;
  }
  // A line that never ends is refused once it is longer than any answer could be.
  Reply r;
  EXPECT_EQ(parse("+" + std::string(max_bulk_bytes + 100, 'x'), r), ParseStatus::malformed);
}

}  // namespace
}  // namespace paygate::fraud::resp
