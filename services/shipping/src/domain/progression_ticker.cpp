#include "domain/progression_ticker.h"

#include "shared/log/log.h"

namespace storefront::shipping::domain {

void ProgressionTicker::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void ProgressionTicker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void ProgressionTicker::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      if (int steps = pass_(); steps > 0) log::Info("shipments moved on by the schedule", {{"steps", steps}});
    } catch (const std::exception& error) {
      log::Warn("shipment progression pass failed; retrying next tick", {{"error", error.what()}});
    } catch (...) {
      log::Warn("shipment progression pass failed; retrying next tick");
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace storefront::shipping::domain
