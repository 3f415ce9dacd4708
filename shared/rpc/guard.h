// What stands between a caller and one upstream service: a circuit breaker and a bulkhead.
//
// Every rpc::Client call passes its upstream's guard first. The breaker stops calling an
// upstream that keeps failing (closed -> open), so callers get an answer at once instead of
// after a deadline and the upstream gets room to recover; after a while it lets one probe
// through (half-open) and closes again when the probe succeeds. The bulkhead bounds the calls in
// flight to one upstream, so a hung one holds at most that many of the caller's resources and
// calls to the others keep their capacity. Both answer "no" without sending anything: a refused
// call is a definite "not done", never a "maybe".
//
// One guard per upstream name in each composition root (Guards, owned by a service's App or the
// gateway's Server), so every client of payments in checkout shares one breaker, and the
// operator's health page can list them all (SnapshotGuards).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/support/status.h>

namespace storefront::rpc {

struct BreakerSettings {
  // Opens when, within the last `window`, at least `minimum_calls` calls were made and at least
  // `failure_ratio` of them failed.
  double failure_ratio = 0.5;
  int minimum_calls = 10;
  std::chrono::milliseconds window{10000};
  // How long it stays open before a probe; doubled after each failed probe, up to max_open_for.
  std::chrono::milliseconds open_for{5000};
  std::chrono::milliseconds max_open_for{60000};
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };
std::string_view StateName(BreakerState state);  // "closed", "open", "half_open"

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  explicit CircuitBreaker(BreakerSettings settings, std::function<Clock::time_point()> now = &Clock::now);

  struct Admission {
    bool allowed = true;
    bool probe = false;                     // the one call a half-open breaker lets through
    std::chrono::milliseconds retry_after{0};  // when refused: until the next probe may go
  };
  // Asks to make a call. An allowed call must be followed by exactly one Record.
  Admission Admit();
  // The outcome of an admitted call: `failure` for an upstream fault (see IsUpstreamFailure).
  void Record(const Admission& admission, bool failure);

  struct Snapshot {
    BreakerState state = BreakerState::kClosed;
    std::int64_t calls = 0;     // in the current window
    std::int64_t failures = 0;  // in the current window
    std::int64_t rejected = 0;  // refused since start
    std::int64_t opened = 0;    // times opened since start
    std::chrono::milliseconds retry_after{0};
  };
  Snapshot Read() const;

 private:
  struct Bucket {
    std::int64_t second = -1;  // which second of the clock this bucket counts
    std::int64_t calls = 0;
    std::int64_t failures = 0;
  };
  void OpenLocked(Clock::time_point now);
  void TallyLocked(Clock::time_point now, std::int64_t& calls, std::int64_t& failures) const;

  const BreakerSettings settings_;
  const std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  BreakerState state_ = BreakerState::kClosed;
  std::vector<Bucket> buckets_;  // one per second of the window
  Clock::time_point open_until_{};
  std::chrono::milliseconds current_open_for_;
  bool probe_in_flight_ = false;
  std::int64_t rejected_ = 0;
  std::int64_t opened_ = 0;
};

// At most `limit` calls in flight; more are refused at once rather than queued.
class Bulkhead {
 public:
  explicit Bulkhead(int limit) : limit_(limit) {}
  bool TryEnter();
  void Leave();
  int in_flight() const { return in_flight_.load(); }
  int limit() const { return limit_; }
  std::int64_t rejected() const { return rejected_.load(); }

 private:
  const int limit_;
  std::atomic<int> in_flight_{0};
  std::atomic<std::int64_t> rejected_{0};
};

struct GuardSettings {
  BreakerSettings breaker;
  int max_in_flight = 64;
};

// Which statuses count against an upstream: it is down, overloaded, too slow or broken
// (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN, DATA_LOSS). A refusal
// about the request itself (NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, ...) is the
// upstream working, and CANCELLED is the caller's doing.
bool IsUpstreamFailure(grpc::StatusCode code);

// The breaker and bulkhead of one upstream.
class UpstreamGuard {
 public:
  UpstreamGuard(std::string upstream, GuardSettings settings)
      : upstream_(std::move(upstream)), breaker_(settings.breaker), bulkhead_(settings.max_in_flight) {}

  // A call admitted past both; release it with Finish (exactly once).
  struct Pass {
    bool allowed = false;
    CircuitBreaker::Admission admission;
    grpc::Status refusal;  // when not allowed: UNAVAILABLE (breaker open: "retry-after=<s>" in
                           // the details) or RESOURCE_EXHAUSTED (bulkhead full)
  };
  Pass Enter();
  void Finish(const Pass& pass, const grpc::Status& status);

  const std::string& upstream() const { return upstream_; }
  CircuitBreaker& breaker() { return breaker_; }
  Bulkhead& bulkhead() { return bulkhead_; }

 private:
  std::string upstream_;
  CircuitBreaker breaker_;
  Bulkhead bulkhead_;
};

// The guards of one composition root: one per upstream name, all with the same settings. Tests
// that start several services or gateways in one process get separate breakers this way.
class Guards {
 public:
  explicit Guards(GuardSettings settings);
  ~Guards();
  Guards(const Guards&) = delete;
  Guards& operator=(const Guards&) = delete;

  // The guard of `upstream`, created the first time it is asked for.
  std::shared_ptr<UpstreamGuard> For(const std::string& upstream);

 private:
  friend std::vector<struct GuardSnapshot> SnapshotGuards();
  const GuardSettings settings_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<UpstreamGuard>> guards_;
};

struct GuardSnapshot {
  std::string upstream;
  CircuitBreaker::Snapshot breaker;
  int in_flight = 0;
  int limit = 0;
  std::int64_t bulkhead_rejected = 0;
};
// Every guard of every live Guards of this process, by upstream name.
std::vector<GuardSnapshot> SnapshotGuards();

// The seconds to put in Retry-After for a refusal made by a guard (from its details), or 0.
int RetryAfterSeconds(const grpc::Status& status);

}  // namespace storefront::rpc
