#include "domain/expiry_sweeper.h"

#include "shared/log/log.h"

namespace storefront::inventory::domain {

void ExpirySweeper::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void ExpirySweeper::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void ExpirySweeper::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      if (int released = sweep_(); released > 0) {
        log::Info("released expired reservations", {{"count", released}});
      }
    } catch (const std::exception& error) {
      log::Warn("reservation sweep failed; retrying next interval", {{"error", error.what()}});
    } catch (...) {
      log::Warn("reservation sweep failed; retrying next interval");
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace storefront::inventory::domain
