#include "shared/rpc/faults.h"

#include <algorithm>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "shared/types/deadline.h"

namespace storefront::rpc::faults {
namespace {

// How often a latency fault looks whether its caller is still there.
constexpr auto kPollStep = std::chrono::milliseconds(5);

// The fates of the calls in flight that have one, by their context. `filed` mirrors the map's
// size, so a call asks the map (and takes its lock) only while some call has a fate.
struct Filed {
  std::mutex mutex;
  std::unordered_map<const grpc::ServerContextBase*, Fate> fates;
  std::atomic<std::size_t> filed{0};
};
Filed& Calls() {
  static Filed* calls = new Filed();  // never destroyed: calls may finish during static destruction
  return *calls;
}

std::optional<Fate> FateOf(const grpc::ServerContext* context) {
  auto& calls = Calls();
  if (calls.filed.load(std::memory_order_acquire) == 0) return std::nullopt;
  std::lock_guard lock(calls.mutex);
  auto it = calls.fates.find(context);
  if (it == calls.fates.end()) return std::nullopt;
  return it->second;
}

void CheckPercent(Violations& violations, const char* field, int value) {
  if (value < 0 || value > 100) violations.Add(field, "must be an integer from 0 to 100");
}

}  // namespace

void ValidateMethod(std::string_view method, const std::set<std::string>& methods, Violations& violations) {
  if (method == kEveryMethod || methods.count(std::string(method)) > 0) return;
  std::string known;
  for (const auto& name : methods) known += (known.empty() ? "" : ", ") + name;
  violations.Add("method", "'" + std::string(method) + "' is not a method of this service; use \"*\" or one of: " + known);
}

void Validate(const Fault& fault, const std::set<std::string>& methods) {
  Violations violations;
  ValidateMethod(fault.method, methods, violations);
  if (fault.latency_ms < 0 || fault.latency_ms > kMaxLatencyMs) {
    violations.Add("latency_ms", "must be an integer from 0 to " + std::to_string(kMaxLatencyMs));
  }
  CheckPercent(violations, "error_percent", fault.error_percent);
  CheckPercent(violations, "abort_percent", fault.abort_percent);
  if (fault.latency_ms == 0 && fault.error_percent == 0 && fault.abort_percent == 0) {
    for (const char* field : {"latency_ms", "error_percent", "abort_percent"}) {
      violations.Add(field, "a fault needs at least one effect above 0 (clear the fault to switch it off)");
    }
  }
  if (fault.set_by.empty() || fault.set_by.size() > 254) {
    violations.Add("set_by", "must name who switches the fault on, 1 to 254 characters");
  }
  violations.ThrowIfAny();
}

int RandomPercentRoll() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_int_distribution<int>(0, 99)(engine);
}

Fate Draw(const Fault& fault, const PercentRoll& roll) {
  Fate fate;
  fate.latency = std::chrono::milliseconds(fault.latency_ms);
  // A roll only for a percentage strictly between 0 and 100, so 0 and 100 are certain and an
  // injected roll sequence lines up with the percentages a test sets.
  auto happens = [&](int percent) { return percent >= 100 || (percent > 0 && roll() < percent); };
  fate.fail = happens(fault.error_percent);
  fate.drop_answer = !fate.fail && happens(fault.abort_percent);
  return fate;
}

void FaultTable::Set(const Fault& fault) {
  std::lock_guard lock(mutex_);
  faults_[fault.method] = fault;
  size_.store(faults_.size(), std::memory_order_release);
}

int FaultTable::Clear(std::string_view method) {
  std::lock_guard lock(mutex_);
  int cleared = 0;
  if (method.empty()) {
    cleared = static_cast<int>(faults_.size());
    faults_.clear();
  } else if (auto it = faults_.find(method); it != faults_.end()) {
    faults_.erase(it);
    cleared = 1;
  }
  size_.store(faults_.size(), std::memory_order_release);
  return cleared;
}

std::vector<Fault> FaultTable::List() const {
  std::lock_guard lock(mutex_);
  std::vector<Fault> list;
  for (const auto& [method, fault] : faults_) list.push_back(fault);
  return list;
}

Fate FaultTable::DrawFor(std::string_view method) const {
  if (empty()) return {};
  Fault fault;
  {
    std::lock_guard lock(mutex_);
    auto it = faults_.find(method);
    if (it == faults_.end()) it = faults_.find(kEveryMethod);
    if (it == faults_.end()) return {};
    fault = it->second;
  }
  return Draw(fault, roll_);
}

FiledFate::FiledFate(const grpc::ServerContextBase* context, Fate fate) : context_(context) {
  auto& calls = Calls();
  std::lock_guard lock(calls.mutex);
  calls.fates[context_] = fate;
  calls.filed.store(calls.fates.size(), std::memory_order_release);
}

FiledFate::~FiledFate() {
  auto& calls = Calls();
  std::lock_guard lock(calls.mutex);
  calls.fates.erase(context_);
  calls.filed.store(calls.fates.size(), std::memory_order_release);
}

bool WaitUnlessCallerGone(std::chrono::milliseconds latency) {
  const auto until = std::chrono::steady_clock::now() + latency;
  while (!deadline::CallerGone()) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, kPollStep));
  }
  return false;
}

void BeforeWork(const grpc::ServerContext* context) {
  auto fate = FateOf(context);
  if (!fate) return;
  if (fate->latency.count() > 0 && !WaitUnlessCallerGone(fate->latency)) {
    throw DeadlineExceeded("the call was not started: its caller left during the fault lab's added latency");
  }
  if (fate->fail) throw Unavailable(std::string(kInjectedError));
}

void AfterWork(const grpc::ServerContext* context) {
  auto fate = FateOf(context);
  if (fate && fate->drop_answer) throw Unavailable(std::string(kDroppedAnswer));
}

}  // namespace storefront::rpc::faults
