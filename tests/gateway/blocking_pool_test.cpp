#include "gateway/blocking_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

namespace paygate::gateway {
namespace {

TEST(BlockingPool, RunsWorkOnItsThreadsAndRefusesBeyondTheQueueLimit) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> done{0};
  {
    BlockingPool pool(2, 3);
    // Two workers block on the gate; three more fill the queue; the sixth is refused.
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(pool.try_submit([&, gate] {
        gate.wait();
        ++done;
      }));
      if (i < 2) {
        // Let a worker take it, so the queue holds exactly the later ones.
        for (int spin = 0; spin < 1000 && pool.queued() != 0; ++spin) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    EXPECT_EQ(pool.queued(), 3u);
    EXPECT_FALSE(pool.try_submit([&] { ++done; }));
    release.set_value();
  }  // the destructor finishes queued work
  EXPECT_EQ(done.load(), 5);
}

TEST(BlockingPool, WorkNeverRunsOnTheSubmittingThread) {
  BlockingPool pool(1, 10);
  std::promise<std::thread::id> ran_on;
  ASSERT_TRUE(pool.try_submit([&] { ran_on.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
}

}  // namespace
}  // namespace paygate::gateway
