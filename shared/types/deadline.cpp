#include "shared/types/deadline.h"

#include <string>

#include "shared/errors/errors.h"

namespace storefront::deadline {
namespace {

thread_local Scope* current = nullptr;

}  // namespace

Scope::Scope(std::optional<Clock::time_point> deadline, std::function<bool()> caller_gone)
    : deadline_(deadline), caller_gone_(std::move(caller_gone)), outer_(current) {
  if (outer_ != nullptr && !outer_->detached_ && outer_->deadline_ && (!deadline_ || *outer_->deadline_ < *deadline_)) {
    deadline_ = outer_->deadline_;
  }
  current = this;
}

Scope::Scope(DetachTag) : outer_(current), detached_(true) { current = this; }

Scope::~Scope() { current = outer_; }

std::optional<Clock::time_point> Current() {
  return current == nullptr ? std::nullopt : current->deadline_;
}

std::chrono::milliseconds Remaining(std::chrono::milliseconds fallback) {
  auto deadline = Current();
  if (!deadline) return fallback;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
  if (left < std::chrono::milliseconds(0)) left = std::chrono::milliseconds(0);
  return std::min(left, fallback);
}

bool CallerGone() {
  for (Scope* scope = current; scope != nullptr && !scope->detached_; scope = scope->outer_) {
    if (scope->caller_gone_ && scope->caller_gone_()) return true;
  }
  auto deadline = Current();
  return deadline && *deadline <= Clock::now();
}

void ThrowIfSpent(std::string_view what) {
  if (CallerGone()) {
    throw DeadlineExceeded(std::string(what) + " was not started: the caller's deadline has passed or it has gone");
  }
}

}  // namespace storefront::deadline
