// A background thread that runs one pass of work at start and then every `interval`:
// inventory's reservation sweeper, shipping's progression ticker and checkout's saga recovery.
//
// A pass returns how much it did (logged when non-zero). A failing pass is logged and retried on
// the next tick; it never ends the thread. Stop() wakes the thread at once and joins it, so a
// shutdown never waits out an interval; a pass in progress completes first. Every replica runs
// its own: the passes themselves take their rows with SKIP LOCKED or leases.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace storefront::background {

class PeriodicTask {
 public:
  PeriodicTask(std::string name, std::function<int()> pass, std::chrono::milliseconds interval)
      : name_(std::move(name)), pass_(std::move(pass)), interval_(interval) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Starts the thread; false when it already runs or the task was stopped (a stopped task never
  // starts again).
  bool Start();
  // Idempotent; a task stopped before it started never starts.
  void Stop();

 private:
  void Run();

  const std::string name_;
  const std::function<int()> pass_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace storefront::background
