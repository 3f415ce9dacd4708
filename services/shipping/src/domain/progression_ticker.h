// The background thread that moves scheduled shipments on (domain/progression.h).
//
// Every `interval` it runs one pass (Shipping::AdvanceDueShipments with the clock's time in
// production), starting with one right away so steps that fell due while the service was down
// are taken at start-up. A failing pass is logged and retried on the next tick; it never ends the
// thread. Stop() wakes the thread at once and joins it, so shutdown never waits out an interval.
// Every replica runs one: a pass skips shipments another replica has locked (SKIP LOCKED).
//
// (inventory's ExpirySweeper is the same loop; were a third service to need one it would move to
// shared/.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace storefront::shipping::domain {

class ProgressionTicker {
 public:
  // `pass` returns how many steps it took (logged when non-zero).
  ProgressionTicker(std::function<int()> pass, std::chrono::milliseconds interval)
      : pass_(std::move(pass)), interval_(interval) {}
  ~ProgressionTicker() { Stop(); }
  ProgressionTicker(const ProgressionTicker&) = delete;
  ProgressionTicker& operator=(const ProgressionTicker&) = delete;

  void Start();
  // Idempotent; returns once the thread has finished (a pass in progress completes first).
  void Stop();

 private:
  void Run();

  const std::function<int()> pass_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace storefront::shipping::domain
