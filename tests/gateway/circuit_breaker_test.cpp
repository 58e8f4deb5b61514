// The circuit breaker's states with a hand-driven clock.
#include <gtest/gtest.h>

#include "gateway/upstream/circuit_breaker.h"

namespace paygate::gateway {
namespace {

using namespace std::chrono_literals;

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresProbesThenCloses) {
  CircuitBreaker::Clock::time_point now{};
  CircuitBreaker b(3, 10s, [&] { return now; });
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.allow());
    b.record_failure();
  }
  ASSERT_TRUE(b.allow());
  b.record_success();  // a success in between: the count starts again
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.allow());
    b.record_failure();
  }
  EXPECT_EQ(b.state(), CircuitBreaker::State::open);
  EXPECT_FALSE(b.allow());
  now += 9s;
  EXPECT_FALSE(b.allow());
  now += 1s;
  EXPECT_TRUE(b.allow());  // the probe
  EXPECT_EQ(b.state(), CircuitBreaker::State::half_open);
  EXPECT_FALSE(b.allow());  // one probe at a time
  b.record_failure();       // the probe failed: open again, for the whole time
  EXPECT_EQ(b.state(), CircuitBreaker::State::open);
  now += 5s;
  EXPECT_FALSE(b.allow());
  now += 5s;
  ASSERT_TRUE(b.allow());
  b.record_nothing();  // paygate's own queue was full: the next request probes
  ASSERT_TRUE(b.allow());
  b.record_success();
  EXPECT_EQ(b.state(), CircuitBreaker::State::closed);
  EXPECT_TRUE(b.allow());
  EXPECT_TRUE(b.allow());
}

}  // namespace
}  // namespace paygate::gateway
