// A bounded pool of threads for blocking work (vault queries, key rewraps), so that the
// network threads never wait on a database. Work that does not fit the queue is refused
// at once — the caller answers "busy" instead of queueing without limit.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace paygate::gateway {

class BlockingPool {
 public:
  BlockingPool(std::size_t threads, std::size_t queue_limit);
  // Finishes the queued work, then joins the threads.
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Queues `work`; false (and `work` is dropped unrun) when the queue is full or the pool
  // is stopping. Thread-safe. `work` must not throw.
  bool try_submit(std::function<void()> work);

  std::size_t queued() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  std::size_t queue_limit_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace paygate::gateway
