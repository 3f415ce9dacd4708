// A periodic task: runs at start and on every tick, survives a failing pass, and stops at
// once. Waits are for events (a condition variable), with a generous guard against hangs;
// nothing asserts how long anything took (one test sleeps to give a leaked thread its chance).
#include "shared/background/periodic_task.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace storefront::background {
namespace {

constexpr auto kGuard = std::chrono::seconds(30);

// Counts sweeps and lets the test wait until a given number has happened.
class SweepProbe {
 public:
  int Sweep() {
    std::lock_guard lock(mutex_);
    ++calls_;
    changed_.notify_all();
    if (throw_on_first_ && calls_ == 1) throw std::runtime_error("database unavailable");
    return 1;
  }
  bool WaitFor(int calls) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kGuard, [&] { return calls_ >= calls; });
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  bool throw_on_first_ = false;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int calls_ = 0;
};

TEST(PeriodicTaskTest, SweepsAtStartAndThenOnEveryTick) {
  SweepProbe probe;
  PeriodicTask sweeper("test", [&] { return probe.Sweep(); }, std::chrono::milliseconds(1));
  sweeper.Start();
  EXPECT_TRUE(probe.WaitFor(3));
  sweeper.Stop();
  const int after_stop = probe.calls();
  sweeper.Stop();  // idempotent
  EXPECT_EQ(probe.calls(), after_stop) << "no sweep after Stop() returned";
}

TEST(PeriodicTaskTest, AFailingSweepIsRetriedOnTheNextTick) {
  SweepProbe probe;
  probe.throw_on_first_ = true;
  PeriodicTask sweeper("test", [&] { return probe.Sweep(); }, std::chrono::milliseconds(1));
  sweeper.Start();
  EXPECT_TRUE(probe.WaitFor(2));
}

TEST(PeriodicTaskTest, StopDoesNotWaitOutTheInterval) {
  SweepProbe probe;
  auto sweeper = std::make_unique<PeriodicTask>("test", [&] { return probe.Sweep(); }, std::chrono::hours(1));
  sweeper->Start();
  ASSERT_TRUE(probe.WaitFor(1));
  // With an hour between ticks, only a wake-up can end the thread: Stop() must not block.
  auto stopped = std::async(std::launch::async, [&] { sweeper->Stop(); });
  EXPECT_EQ(stopped.wait_for(kGuard), std::future_status::ready);
  EXPECT_EQ(probe.calls(), 1);
}

TEST(PeriodicTaskTest, StopBeforeStartAndDestructionAreSafe) {
  SweepProbe probe;
  {
    PeriodicTask never_started("test", [&] { return probe.Sweep(); }, std::chrono::milliseconds(1));
    never_started.Stop();
    EXPECT_FALSE(never_started.Start());  // after Stop: no thread, so no pass ever
  }
  EXPECT_EQ(probe.calls(), 0);
  {
    PeriodicTask destroyed_running("test", [&] { return probe.Sweep(); }, std::chrono::milliseconds(1));
    EXPECT_TRUE(destroyed_running.Start());
    EXPECT_FALSE(destroyed_running.Start());  // already running: still one thread
    ASSERT_TRUE(probe.WaitFor(2));            // running, a pass every millisecond
  }  // the destructor stops and joins
  const int after_destruction = probe.calls();
  // A thread the destructor had not joined would pass again within a millisecond or two.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(probe.calls(), after_destruction);
}

}  // namespace
}  // namespace storefront::background
