// A clock the test sets or moves by hand, for the services whose time is injected (types::Clock),
// so a test passes time instead of sleeping. Safe to read from a background thread (a sweeper, a
// ticker) while the test moves it. Header-only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "shared/types/time.h"

namespace storefront::testing {

class ManualClock {
 public:
  explicit ManualClock(types::Timestamp start = types::Timestamp(std::chrono::seconds(1'800'000'000)))
      : micros_(types::ToMicros(start)) {}

  types::Timestamp Now() const { return types::FromMicros(micros_.load()); }
  void Set(types::Timestamp at) { micros_ = types::ToMicros(at); }
  void Advance(std::chrono::microseconds by) { micros_ += by.count(); }
  // What the use cases take; reads this clock, which must outlive them.
  types::Clock AsClock() const {
    return [this] { return Now(); };
  }

 private:
  std::atomic<std::int64_t> micros_;
};

}  // namespace storefront::testing
