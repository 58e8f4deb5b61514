#include "config/units.h"

#include <gtest/gtest.h>

namespace paygate::config {
namespace {

TEST(ParseDuration, AcceptsEachUnit) {
  EXPECT_EQ(parse_duration("250ms"), Duration{250});
  EXPECT_EQ(parse_duration("5s"), Duration{5000});
  EXPECT_EQ(parse_duration("2m"), Duration{120000});
  EXPECT_EQ(parse_duration("1h"), Duration{3600000});
  EXPECT_EQ(parse_duration("0s"), Duration{0});
}

TEST(ParseDuration, RejectsAnythingElse) {
  for (const char* bad : {"", "5", "s", "5 s", "5sec", "-5s", "1.5s", "5S", "ms", "99999999999999999999s", "25d",
                          "600h"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(ParseSize, AcceptsBytesAndIecUnits) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("512B"), 512u);
  EXPECT_EQ(parse_size("64KiB"), 64u * 1024);
  EXPECT_EQ(parse_size("16MiB"), 16u << 20);
  EXPECT_EQ(parse_size("1GiB"), 1u << 30);
}

TEST(ParseSize, RejectsAnythingElse) {
  for (const char* bad : {"", "KiB", "64kb", "64KB", "64 KiB", "-1", "1.5MiB", "99999999999999999999GiB"}) {
    EXPECT_FALSE(parse_size(bad)) << bad;
  }
}

TEST(ParseEndpoint, AcceptsNamesV4AndBracketedV6) {
  auto e = parse_endpoint("127.0.0.1:8443");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 8443);
  e = parse_endpoint("[::1]:0");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 0);
  EXPECT_EQ(e->to_string(), "[::1]:0");
  e = parse_endpoint("localhost:65535");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->to_string(), "localhost:65535");
}

TEST(ParseEndpoint, RejectsAnythingElse) {
  for (const char* bad : {"", "8443", "127.0.0.1", "127.0.0.1:", ":8443", "::1:8443", "[::1]8443", "[::1]:",
                          "host:65536", "host:84x3", "host:-1"}) {
    EXPECT_FALSE(parse_endpoint(bad)) << bad;
  }
}

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("certificate", "certificate"), 0u);
  EXPECT_EQ(edit_distance("certficate", "certificate"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

}  // namespace
}  // namespace paygate::config
