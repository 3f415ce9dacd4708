#include "shared/background/periodic_task.h"

#include "shared/log/log.h"

namespace storefront::background {

bool PeriodicTask::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return false;
  thread_ = std::thread([this] { Run(); });
  return true;
}

void PeriodicTask::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PeriodicTask::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      if (int done = pass_(); done > 0) log::Info("background pass did work", {{"task", name_}, {"count", done}});
    } catch (const std::exception& error) {
      log::Warn("background pass failed; retrying next interval", {{"task", name_}, {"error", error.what()}});
    } catch (...) {
      log::Warn("background pass failed; retrying next interval", {{"task", name_}});
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace storefront::background
