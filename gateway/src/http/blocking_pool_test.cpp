#include "http/blocking_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>

#include "shared/trace/context.h"

namespace storefront::gateway::http {
namespace {

// Holds tasks until released, and tells the test when a given number are being held.
class Gate {
 public:
  void Hold() {
    std::unique_lock lock(mutex_);
    ++held_;
    max_held_ = std::max(max_held_, held_);
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    --held_;
  }
  void WaitUntilHolding(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return held_ >= count; });
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  int max_held() {
    std::lock_guard lock(mutex_);
    return max_held_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int held_ = 0;
  int max_held_ = 0;
  bool open_ = false;
};

TEST(BlockingPoolTest, RunsTasksOnItsOwnThreads) {
  BlockingPool pool(2, 8);
  std::promise<std::thread::id> ran_on;
  ASSERT_TRUE(pool.Submit([&] { ran_on.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
}

TEST(BlockingPoolTest, ATaskRunsInTheTraceOfTheRequestThatSubmittedIt) {
  BlockingPool pool(1, 4);
  auto request = *trace::ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  std::promise<std::string> seen;
  {
    trace::ContextScope scope(request);
    ASSERT_TRUE(pool.Submit([&] { seen.set_value(trace::Current() ? trace::Current()->SpanIdHex() : "none"); }));
  }
  EXPECT_EQ(seen.get_future().get(), "00f067aa0ba902b7");
}

TEST(BlockingPoolTest, RunsAtMostItsThreadCountAtOnce) {
  Gate gate;
  std::atomic<int> done{0};
  {
    BlockingPool pool(2, 8);
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(pool.Submit([&] {
        gate.Hold();
        ++done;
      }));
    }
    gate.WaitUntilHolding(2);
    EXPECT_EQ(done.load(), 0);
    gate.Open();
  }  // the destructor lets the queue drain
  EXPECT_EQ(done.load(), 6);
  EXPECT_EQ(gate.max_held(), 2);
}

TEST(BlockingPoolTest, RefusesWorkWhenTheQueueIsFull) {
  Gate gate;
  std::atomic<int> done{0};
  BlockingPool pool(1, 2);
  ASSERT_TRUE(pool.Submit([&] { gate.Hold(); }));  // occupies the only worker
  gate.WaitUntilHolding(1);
  EXPECT_TRUE(pool.Submit([&] { ++done; }));
  EXPECT_TRUE(pool.Submit([&] { ++done; }));
  EXPECT_FALSE(pool.Submit([&] { ++done; })) << "a third waiting task exceeds the capacity of 2";
  gate.Open();
  pool.Shutdown();
  EXPECT_EQ(done.load(), 2);
}

TEST(BlockingPoolTest, ShutdownFinishesQueuedWorkAndRefusesNew) {
  Gate gate;
  std::atomic<int> done{0};
  BlockingPool pool(1, 4);
  ASSERT_TRUE(pool.Submit([&] { gate.Hold(); }));
  gate.WaitUntilHolding(1);
  ASSERT_TRUE(pool.Submit([&] { ++done; }));
  ASSERT_TRUE(pool.Submit([&] { ++done; }));
  auto stopping = std::async(std::launch::async, [&] { pool.Shutdown(); });
  gate.Open();
  stopping.get();
  EXPECT_EQ(done.load(), 2);
  EXPECT_FALSE(pool.Submit([&] { ++done; }));
  pool.Shutdown();  // idempotent
}

TEST(BlockingPoolTest, AThrowingTaskDoesNotStopItsWorker) {
  BlockingPool pool(1, 4);
  ASSERT_TRUE(pool.Submit([] { throw std::runtime_error("boom"); }));
  std::promise<void> next;
  ASSERT_TRUE(pool.Submit([&] { next.set_value(); }));
  EXPECT_EQ(next.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

}  // namespace
}  // namespace storefront::gateway::http
