#include "shared/rpc/guard.h"

#include "shared/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace storefront::rpc {
namespace {

constexpr std::string_view kRetryAfterKey = "retry-after=";

std::int64_t SecondOf(CircuitBreaker::Clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

std::chrono::milliseconds Until(CircuitBreaker::Clock::time_point from, CircuitBreaker::Clock::time_point to) {
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(to - from));
}

}  // namespace

std::string_view StateName(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half_open";
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(BreakerSettings settings, std::function<Clock::time_point()> now)
    : settings_(settings),
      now_(std::move(now)),
      buckets_(static_cast<std::size_t>(std::max<std::int64_t>(
          1, std::chrono::duration_cast<std::chrono::seconds>(settings.window).count()))),
      current_open_for_(settings.open_for) {}

CircuitBreaker::Admission CircuitBreaker::Admit() {
  std::lock_guard lock(mutex_);
  const auto now = now_();
  if (state_ == BreakerState::kOpen && now >= open_until_) state_ = BreakerState::kHalfOpen;
  switch (state_) {
    case BreakerState::kClosed:
      return {};
    case BreakerState::kHalfOpen:
      if (!probe_in_flight_) {
        probe_in_flight_ = true;
        return {.allowed = true, .probe = true};
      }
      ++rejected_;  // one probe at a time; the others wait for its verdict
      return {.allowed = false, .retry_after = std::chrono::milliseconds(1000)};
    case BreakerState::kOpen:
      break;
  }
  ++rejected_;
  return {.allowed = false, .retry_after = Until(now, open_until_)};
}

void CircuitBreaker::Record(const Admission& admission, bool failure) {
  std::lock_guard lock(mutex_);
  const auto now = now_();
  if (admission.probe) {
    probe_in_flight_ = false;
    if (failure) {
      current_open_for_ = std::min(current_open_for_ * 2, settings_.max_open_for);
      OpenLocked(now);
    } else {
      state_ = BreakerState::kClosed;
      current_open_for_ = settings_.open_for;
      for (auto& bucket : buckets_) bucket = Bucket{};
    }
    return;
  }
  if (state_ != BreakerState::kClosed) return;  // a call admitted before the breaker opened
  auto& bucket = buckets_[static_cast<std::size_t>(SecondOf(now)) % buckets_.size()];
  if (bucket.second != SecondOf(now)) bucket = Bucket{SecondOf(now), 0, 0};
  ++bucket.calls;
  if (failure) ++bucket.failures;
  if (!failure) return;
  std::int64_t calls = 0, failures = 0;
  TallyLocked(now, calls, failures);
  if (calls >= settings_.minimum_calls &&
      static_cast<double>(failures) >= settings_.failure_ratio * static_cast<double>(calls)) {
    OpenLocked(now);
  }
}

void CircuitBreaker::OpenLocked(Clock::time_point now) {
  state_ = BreakerState::kOpen;
  open_until_ = now + current_open_for_;
  ++opened_;
}

void CircuitBreaker::TallyLocked(Clock::time_point now, std::int64_t& calls, std::int64_t& failures) const {
  const std::int64_t oldest = SecondOf(now) - static_cast<std::int64_t>(buckets_.size()) + 1;
  for (const auto& bucket : buckets_) {
    if (bucket.second < oldest) continue;
    calls += bucket.calls;
    failures += bucket.failures;
  }
}

CircuitBreaker::Snapshot CircuitBreaker::Read() const {
  std::lock_guard lock(mutex_);
  const auto now = now_();
  Snapshot snapshot;
  snapshot.state = state_ == BreakerState::kOpen && now >= open_until_ ? BreakerState::kHalfOpen : state_;
  TallyLocked(now, snapshot.calls, snapshot.failures);
  snapshot.rejected = rejected_;
  snapshot.opened = opened_;
  if (snapshot.state == BreakerState::kOpen) snapshot.retry_after = Until(now, open_until_);
  return snapshot;
}

bool Bulkhead::TryEnter() {
  int current = in_flight_.load();
  while (current < limit_) {
    if (in_flight_.compare_exchange_weak(current, current + 1)) return true;
  }
  rejected_.fetch_add(1);
  return false;
}

void Bulkhead::Leave() { in_flight_.fetch_sub(1); }

bool IsUpstreamFailure(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

namespace {

// Calls a guard refused, by upstream and reason: the breaker was open, or the bulkhead full.
void CountRefusal(const std::string& upstream, const char* reason) {
  static auto& refusals = metrics::Counters("rpc_upstream_refusals_total",
                                            "Calls not sent because the upstream's guard refused them, by reason.");
  refusals.Add({{"upstream", upstream}, {"reason", reason}}).Increment();
}

// The guards' state, read at each scrape: each breaker's state (0 closed, 1 half-open, 2 open)
// and the calls in flight to each upstream, summed over the process's Guards (one in a service).
void ReadGuardFigures() {
  static auto& state = metrics::Gauges("rpc_breaker_state", "Circuit breaker state: 0 closed, 1 half-open, 2 open.");
  static auto& in_flight = metrics::Gauges("rpc_upstream_in_flight", "Calls in flight to each upstream.");
  std::map<std::string, std::pair<double, double>> by_upstream;  // worst state, calls in flight
  for (const auto& guard : SnapshotGuards()) {
    double code = guard.breaker.state == BreakerState::kOpen       ? 2
                  : guard.breaker.state == BreakerState::kHalfOpen ? 1
                                                                   : 0;
    auto& [worst, calls] = by_upstream[guard.upstream];
    worst = std::max(worst, code);
    calls += guard.in_flight;
  }
  for (const auto& [upstream, figures] : by_upstream) {
    state.Add({{"upstream", upstream}}).Set(figures.first);
    in_flight.Add({{"upstream", upstream}}).Set(figures.second);
  }
}

}  // namespace

UpstreamGuard::Pass UpstreamGuard::Enter() {
  Pass pass;
  pass.admission = breaker_.Admit();
  if (!pass.admission.allowed) {
    CountRefusal(upstream_, "circuit_open");
    auto seconds = std::max<std::int64_t>(1, (pass.admission.retry_after.count() + 999) / 1000);
    pass.refusal = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                upstream_ + " is failing: circuit breaker open, not called",
                                std::string(kRetryAfterKey) + std::to_string(seconds));
    return pass;
  }
  if (!bulkhead_.TryEnter()) {
    // Not a verdict on the upstream, so the breaker hears nothing of it, but a half-open probe
    // that never went must free its slot.
    if (pass.admission.probe) breaker_.Record(pass.admission, /*failure=*/true);
    CountRefusal(upstream_, "busy");
    pass.refusal = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                upstream_ + " has " + std::to_string(bulkhead_.limit()) +
                                    " calls in flight already: bulkhead full, not called",
                                std::string(kRetryAfterKey) + "1");
    return pass;
  }
  pass.allowed = true;
  return pass;
}

void UpstreamGuard::Finish(const Pass& pass, const grpc::Status& status) {
  if (!pass.allowed) return;
  bulkhead_.Leave();
  // The caller hanging up says nothing about the upstream.
  if (status.error_code() == grpc::StatusCode::CANCELLED && !pass.admission.probe) return;
  breaker_.Record(pass.admission, IsUpstreamFailure(status.error_code()));
}

namespace {

// Every live Guards, so the operator's view can list them.
std::mutex registries_mutex;
std::vector<Guards*>& Registries() {
  static auto* registries = new std::vector<Guards*>();
  return *registries;
}

}  // namespace

Guards::Guards(GuardSettings settings) : settings_(settings) {
  static metrics::ScrapeHook figures(ReadGuardFigures);  // once per process, for every Guards
  std::lock_guard lock(registries_mutex);
  Registries().push_back(this);
}

Guards::~Guards() {
  std::lock_guard lock(registries_mutex);
  auto& all = Registries();
  all.erase(std::remove(all.begin(), all.end(), this), all.end());
}

std::shared_ptr<UpstreamGuard> Guards::For(const std::string& upstream) {
  std::lock_guard lock(mutex_);
  auto& guard = guards_[upstream];
  if (!guard) guard = std::make_shared<UpstreamGuard>(upstream, settings_);
  return guard;
}

std::vector<GuardSnapshot> SnapshotGuards() {
  std::vector<std::shared_ptr<UpstreamGuard>> guards;
  {
    std::lock_guard lock(registries_mutex);
    for (Guards* registry : Registries()) {
      std::lock_guard inner(registry->mutex_);
      for (const auto& [name, guard] : registry->guards_) guards.push_back(guard);
    }
  }
  std::vector<GuardSnapshot> snapshots;
  for (const auto& guard : guards) {
    snapshots.push_back({guard->upstream(), guard->breaker().Read(), guard->bulkhead().in_flight(),
                         guard->bulkhead().limit(), guard->bulkhead().rejected()});
  }
  return snapshots;
}

int RetryAfterSeconds(const grpc::Status& status) {
  const std::string& details = status.error_details();
  if (details.rfind(kRetryAfterKey, 0) != 0) return 0;
  try {
    return std::stoi(details.substr(kRetryAfterKey.size()));
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace storefront::rpc
