// The budget of the work a thread is doing for a caller: deadline propagation.
//
// A request gets one budget where it enters the store (the gateway), not a fresh timeout at every
// hop. gRPC carries the deadline across a call; on the server, rpc::Handle opens a Scope with it,
// and everything the handler does on that thread reads what is left from here: an outgoing call
// gets the remaining time as its deadline (and is not sent once nothing is left), a database
// transaction gets it as its statement timeout. The same idea as userver's task-inherited
// deadline, with a thread instead of a coroutine.
//
//   deadline::Scope scope(context->deadline(), [context] { return context->IsCancelled(); });
//   ...
//   deadline::ThrowIfSpent("reserve stock");   // DeadlineExceeded once the caller's time is up
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace storefront::deadline {

using Clock = std::chrono::system_clock;  // what gRPC deadlines are measured in

// Sets this thread's deadline (and how to tell that the caller has gone) until destroyed, then
// restores the one before. A deadline further away than the enclosing scope's keeps the nearer.
class Scope {
 public:
  explicit Scope(std::optional<Clock::time_point> deadline, std::function<bool()> caller_gone = {});
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 protected:
  struct DetachTag {};
  explicit Scope(DetachTag);

 private:
  friend std::optional<Clock::time_point> Current();
  friend bool CallerGone();
  std::optional<Clock::time_point> deadline_;
  std::function<bool()> caller_gone_;
  Scope* outer_;
  bool detached_ = false;
};

// Work that must finish once it has started, whatever became of the caller: recording what the
// outside world answered (a card processor's verdict) is not abandoned when the caller leaves,
// or a known outcome would become a "maybe". No deadline and no caller inside, until destroyed.
class Detached : public Scope {
 public:
  Detached() : Scope(DetachTag{}) {}
};

// This thread's deadline; nullopt outside any Scope (a background task, a test) or without one.
std::optional<Clock::time_point> Current();

// The time left before `fallback` or the deadline, whichever is nearer; zero once spent. Call
// sites name their own longest wait (`fallback`) and get less when their caller has less.
std::chrono::milliseconds Remaining(std::chrono::milliseconds fallback);

// True when the deadline has passed or the caller has cancelled (it hung up, or its own
// deadline passed): nobody is waiting for the answer any more.
bool CallerGone();

// Throws DeadlineExceeded (an Unavailable: the work was not started, retrying later may work)
// when CallerGone(), naming `what` was not started.
void ThrowIfSpent(std::string_view what);

}  // namespace storefront::deadline
