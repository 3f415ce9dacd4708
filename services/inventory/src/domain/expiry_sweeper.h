// The background thread that releases expired reservations.
//
// Every `interval` it runs one sweep (Inventory::ExpireDueReservations in production), starting
// with one right away so holds that ran out while the service was down are freed at start-up.
// A failing sweep is logged and retried on the next tick; it never ends the thread. Stop() wakes
// the thread at once and joins it, so shutdown never waits out an interval. Several replicas
// may each run one: the sweep skips rows another replica has locked (SELECT ... SKIP LOCKED).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace storefront::inventory::domain {

class ExpirySweeper {
 public:
  // `sweep` returns how many reservations it released (logged when non-zero).
  ExpirySweeper(std::function<int()> sweep, std::chrono::milliseconds interval)
      : sweep_(std::move(sweep)), interval_(interval) {}
  ~ExpirySweeper() { Stop(); }
  ExpirySweeper(const ExpirySweeper&) = delete;
  ExpirySweeper& operator=(const ExpirySweeper&) = delete;

  void Start();
  // Idempotent; returns once the thread has finished (an in-progress sweep completes first).
  void Stop();

 private:
  void Run();

  const std::function<int()> sweep_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace storefront::inventory::domain
