// The fault lab: faults an operator switches on for one method of a service (or all of them) so
// that a learner can watch the store's deadlines, retries, breakers, bulkheads and
// outcome-unknown paths react to a slow or failing dependency, on purpose and reversibly.
//
// A fault has three effects, drawn per call: added latency (waited before the work, cut short
// when the caller gives up), an error (UNAVAILABLE without doing the work: a definite "not done")
// and an abort (the work is done, then the answer is replaced by UNAVAILABLE: the caller cannot
// tell whether it happened, the failure every write with an idempotency key exists for).
//
// How one call meets its fault: the ops interceptor (ops_service.h) knows the call's method, draws
// its fate from the server's FaultTable and, only when something is to happen, files it under the
// call's ServerContext (FiledFate); rpc::Handle asks for it around the handler's work (BeforeWork,
// AfterWork). With no fault on, that costs a call one atomic load in Handle and one in the
// interceptor (which is there anyway, counting retried attempts).
// Only handlers run through rpc::Handle are affected; the health and ops services never are.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "shared/errors/errors.h"

namespace storefront::rpc::faults {

inline constexpr std::string_view kEveryMethod = "*";
inline constexpr int kMaxLatencyMs = 30000;
inline constexpr std::string_view kInjectedError = "fault lab: injected error";
inline constexpr std::string_view kDroppedAnswer = "fault lab: answer dropped after the work was done";

struct Fault {
  std::string method;  // a method of the process's services ("Authorize"), or "*"
  int latency_ms = 0;
  int error_percent = 0;
  int abort_percent = 0;
  std::string set_by;
  std::chrono::system_clock::time_point set_at{};
};

// Throws InvalidArgument naming every bad field of `fault`: method (neither "*" nor one of
// `methods`), latency_ms (0..30000), error_percent and abort_percent (0..100), all three 0 (a fault
// that does nothing: clear it instead), set_by (1..254 characters).
void Validate(const Fault& fault, const std::set<std::string>& methods);
// The method alone (clearing one method's fault): adds to `violations` unless it is "*" or one of
// `methods`.
void ValidateMethod(std::string_view method, const std::set<std::string>& methods, Violations& violations);

// What happens to one call.
struct Fate {
  std::chrono::milliseconds latency{0};
  bool fail = false;         // answer UNAVAILABLE without doing the work
  bool drop_answer = false;  // do the work, then answer UNAVAILABLE
  bool any() const { return latency.count() > 0 || fail || drop_answer; }
};

// A number in [0, 100), uniform: each percentage is a roll below it. Tests inject their own.
using PercentRoll = std::function<int()>;
int RandomPercentRoll();  // thread-safe

// Draws one call's fate under `fault`: an error with error_percent chance; otherwise an abort
// with abort_percent chance (a call refused without the work cannot also lose its answer).
Fate Draw(const Fault& fault, const PercentRoll& roll);

// The faults of one server's services, by method. Thread-safe; empty() is one atomic load, what
// every call pays while the lab is off.
class FaultTable {
 public:
  explicit FaultTable(PercentRoll roll = RandomPercentRoll) : roll_(std::move(roll)) {}

  // Switches `fault` on for fault.method, replacing what that method had.
  void Set(const Fault& fault);
  // Switches off the fault of `method`, or every fault when `method` is empty; returns how many
  // were on.
  int Clear(std::string_view method);
  // Every fault, by method ("*" first).
  std::vector<Fault> List() const;
  // The fate of one call of `method`: drawn from its own fault, else from the "*" one.
  Fate DrawFor(std::string_view method) const;
  bool empty() const { return size_.load(std::memory_order_acquire) == 0; }

 private:
  const PercentRoll roll_;
  mutable std::mutex mutex_;
  std::map<std::string, Fault, std::less<>> faults_;
  std::atomic<std::size_t> size_{0};
};

// Files `fate` as the fate of the call whose context is `context` for as long as it lives; the
// interceptor holds one for each call that has a fault to suffer.
class FiledFate {
 public:
  FiledFate(const grpc::ServerContextBase* context, Fate fate);
  ~FiledFate();
  FiledFate(const FiledFate&) = delete;
  FiledFate& operator=(const FiledFate&) = delete;

 private:
  const grpc::ServerContextBase* context_;
};

// Called by rpc::Handle inside its deadline::Scope. BeforeWork waits the call's latency (throws
// DeadlineExceeded when the caller gives up meanwhile: the work is not started) and throws
// Unavailable(kInjectedError) for an injected error; AfterWork throws Unavailable(kDroppedAnswer)
// for an answer to be dropped. Both return at once for a call without a fate.
void BeforeWork(const grpc::ServerContext* context);
void AfterWork(const grpc::ServerContext* context);

// Waits `latency`, checking every few milliseconds whether the caller has gone
// (deadline::CallerGone); true when the whole latency was waited, false when the caller left.
bool WaitUnlessCallerGone(std::chrono::milliseconds latency);

}  // namespace storefront::rpc::faults
