// Who and which trace (gateway/trace_context.h, gateway/client_address.h): W3C trace
// context continued or started, the caller's request id when safe, and the client behind
// trusted proxies — never an address the client could forge.
#include <gtest/gtest.h>

#include <algorithm>

#include "card/detect.h"
#include "gateway/client_address.h"
#include "gateway/trace_context.h"

namespace paygate::gateway {
namespace {

TEST(TraceContext, AValidTraceparentIsContinuedWithANewSpan) {
  TraceContextGenerator g;
  const auto t = g.continue_or_start("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=a1");
  EXPECT_EQ(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t.span_id.size(), 16u);
  EXPECT_NE(t.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(t.flags, "01");
  EXPECT_EQ(t.tracestate, "vendor=a1");
  EXPECT_EQ(t.traceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-" + t.span_id + "-01");
  // A later version is read as version 00 (W3C: forward compatibility).
  EXPECT_EQ(g.continue_or_start("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra", "").trace_id,
            "4bf92f3577b34da6a3ce929d0e0e4736");
}

// Found in the benchmarks: a span id of sixteen decimal digits passed for a card number
// about once in 37,000 requests, so a processor echoing the traceparent had its answer
// refused. 300,000 ids would hold ~160 all-digit ones and ~8 "card numbers" otherwise.
TEST(TraceContext, ASpanIdNeverPassesForACardNumber) {
  TraceContextGenerator g;
  int all_digits = 0, flagged = 0;
  for (int i = 0; i < 300'000; ++i) {
    const auto t = g.continue_or_start("", "");
    const std::string& s = t.span_id;
    ASSERT_EQ(s.size(), 16u);
    ASSERT_TRUE(std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
    if (std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) ++all_digits;
    if (!card::find_pans(R"({"traceparent":")" + t.traceparent() + R"("})").empty()) ++flagged;
  }
  EXPECT_EQ(all_digits, 0);
  EXPECT_EQ(flagged, 0);
}

TEST(TraceContext, AnInvalidOneStartsANewTraceAndDropsTracestate) {
  TraceContextGenerator g;
  for (const char* bad : {"", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"}) {
    const auto t = g.continue_or_start(bad, "vendor=a1");
    EXPECT_EQ(t.trace_id.size(), 32u) << bad;
    EXPECT_NE(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736") << bad;
    EXPECT_EQ(t.tracestate, "") << bad;
  }
  EXPECT_NE(g.continue_or_start("", "").trace_id, g.continue_or_start("", "").trace_id);
}

TEST(TraceContext, OnlySafeRequestIdsAreKept) {
  EXPECT_EQ(safe_request_id("order-1001.try_2"), "order-1001.try_2");
  for (const char* bad : {"", "has space", "new\nline", "quote\"", "a/b"}) EXPECT_FALSE(safe_request_id(bad)) << bad;
  EXPECT_FALSE(safe_request_id(std::string(65, 'a')));
}

std::vector<config::AddressBlock> blocks(std::initializer_list<const char*> texts) {
  std::vector<config::AddressBlock> out;
  for (const char* t : texts) out.push_back(*config::parse_address_block(t));
  return out;
}

TEST(ClientAddress, BlocksParseAndMatch) {
  EXPECT_TRUE(config::parse_address_block("10.0.0.0/8")->contains("10.200.3.4"));
  EXPECT_FALSE(config::parse_address_block("10.0.0.0/8")->contains("11.0.0.1"));
  EXPECT_TRUE(config::parse_address_block("192.0.2.7")->contains("192.0.2.7"));
  EXPECT_FALSE(config::parse_address_block("192.0.2.7")->contains("192.0.2.8"));
  EXPECT_TRUE(config::parse_address_block("2001:db8::/32")->contains("2001:db8:1::5"));
  EXPECT_FALSE(config::parse_address_block("2001:db8::/32")->contains("10.0.0.1"));
  EXPECT_TRUE(config::parse_address_block("10.0.0.0/8")->contains("::ffff:10.1.2.3"));
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0/8", "host", "::/129", "10.0.0.0/"})
    EXPECT_FALSE(config::parse_address_block(bad)) << bad;
}

TEST(ClientAddress, OnlyATrustedPeerIsBelievedAndOnlyFromTheRight) {
  const auto trusted = blocks({"10.0.0.0/8"});
  // No trusted proxies, or an untrusted peer: the header is the client's word, ignored.
  EXPECT_EQ(client_address("203.0.113.9", "", "198.51.100.1", {}), "203.0.113.9");
  EXPECT_EQ(client_address("203.0.113.9", "", "198.51.100.1", trusted), "203.0.113.9");
  // Through our proxy: the client it saw.
  EXPECT_EQ(client_address("10.0.0.5", "", "198.51.100.1", trusted), "198.51.100.1");
  // A client prepending a forged address: the proxy appended the real one, which wins.
  EXPECT_EQ(client_address("10.0.0.5", "", "1.2.3.4, 198.51.100.1", trusted), "198.51.100.1");
  // Two of our proxies in a row.
  EXPECT_EQ(client_address("10.0.0.5", "", "198.51.100.1, 10.0.0.9", trusted), "198.51.100.1");
  // Forwarded wins over X-Forwarded-For; quoted IPv6 with a port; obfuscated ends the walk.
  EXPECT_EQ(client_address("10.0.0.5", R"(for=192.0.2.60;proto=https, for="[2001:db8::7]:4711")", "1.1.1.1", trusted),
            "2001:db8::7");
  EXPECT_EQ(client_address("10.0.0.5", "for=_hidden", "", trusted), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "", "not-an-address", trusted), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "", "198.51.100.1:5555", trusted), "198.51.100.1");
  EXPECT_EQ(client_address("10.0.0.5", "", "10.0.0.1, 10.0.0.2", trusted), "10.0.0.1");
  EXPECT_EQ(client_address("10.0.0.5", "", "", trusted), "10.0.0.5");
  // What comes back is written to logs: never anything but a parsed address (fuzz finding:
  // a bracketed value was passed on unchecked, and a NUL hid the rest from inet_pton).
  EXPECT_EQ(client_address("10.0.0.5", "for=\"[evil\x01 injected=1]:4711\"", "", trusted), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "", std::string_view("198.51.100.1\0 junk", 18), trusted), "10.0.0.5");
  EXPECT_FALSE(config::parse_address_block(std::string_view("10.0.0.1\0junk", 13)));
}

}  // namespace
}  // namespace paygate::gateway
