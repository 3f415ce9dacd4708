// The progression ticker: runs a pass at start and on every tick, survives a failing pass, and
// stops at once. Waits are for events (a condition variable) with a generous guard against
// hangs; nothing here sleeps or asserts how long anything took.
#include "domain/progression_ticker.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <stdexcept>

namespace storefront::shipping::domain {
namespace {

constexpr auto kGuard = std::chrono::seconds(30);

// Counts passes and lets the test wait until a given number has happened.
class PassProbe {
 public:
  int Pass() {
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

TEST(ProgressionTickerTest, RunsAtStartAndThenOnEveryTick) {
  PassProbe probe;
  ProgressionTicker ticker([&] { return probe.Pass(); }, std::chrono::milliseconds(1));
  ticker.Start();
  EXPECT_TRUE(probe.WaitFor(3));
  ticker.Stop();
  const int after_stop = probe.calls();
  ticker.Stop();  // idempotent
  EXPECT_EQ(probe.calls(), after_stop) << "no pass after Stop() returned";
}

TEST(ProgressionTickerTest, AFailingPassIsRetriedOnTheNextTick) {
  PassProbe probe;
  probe.throw_on_first_ = true;
  ProgressionTicker ticker([&] { return probe.Pass(); }, std::chrono::milliseconds(1));
  ticker.Start();
  EXPECT_TRUE(probe.WaitFor(2));
}

TEST(ProgressionTickerTest, StopDoesNotWaitOutTheInterval) {
  PassProbe probe;
  auto ticker = std::make_unique<ProgressionTicker>([&] { return probe.Pass(); }, std::chrono::hours(1));
  ticker->Start();
  ASSERT_TRUE(probe.WaitFor(1));
  auto stopped = std::async(std::launch::async, [&] { ticker->Stop(); });
  EXPECT_EQ(stopped.wait_for(kGuard), std::future_status::ready);
  EXPECT_EQ(probe.calls(), 1);
}

}  // namespace
}  // namespace storefront::shipping::domain
