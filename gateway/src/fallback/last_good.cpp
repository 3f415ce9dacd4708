#include "fallback/last_good.h"

namespace storefront::gateway::fallback {

LastGood::LastGood(std::size_t capacity, std::size_t max_bytes, std::function<Clock::time_point()> now)
    : capacity_(capacity), max_bytes_(max_bytes), now_(std::move(now)) {}

void LastGood::Put(const std::string& key, std::string body) {
  if (capacity_ == 0 || body.size() > kMaxBodyBytes || body.size() > max_bytes_) return;
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second->body.size();
    entries_.erase(it->second);
    index_.erase(it);
  }
  bytes_ += body.size();
  entries_.push_front({key, std::move(body), now_()});
  index_[key] = entries_.begin();
  while (entries_.size() > capacity_ || bytes_ > max_bytes_) {
    bytes_ -= entries_.back().body.size();
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
}

std::optional<LastGood::Copy> LastGood::Serve(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, it->second);
  ++served_stale_;
  const Entry& entry = *it->second;
  return Copy{entry.body, std::chrono::duration_cast<std::chrono::seconds>(now_() - entry.stored_at)};
}

std::size_t LastGood::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t LastGood::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::int64_t LastGood::served_stale() const {
  std::lock_guard lock(mutex_);
  return served_stale_;
}

}  // namespace storefront::gateway::fallback
