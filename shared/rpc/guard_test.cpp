#include "shared/rpc/guard.h"

#include <gtest/gtest.h>

#include "shared/metrics/metrics.h"
#include "shared/testing/figures.h"

namespace storefront::rpc {
namespace {

using namespace std::chrono_literals;
using storefront::testing::Figure;

// A breaker on a clock the test moves by hand.
struct ManualClock {
  CircuitBreaker::Clock::time_point now = CircuitBreaker::Clock::time_point(std::chrono::hours(1000));
  std::function<CircuitBreaker::Clock::time_point()> fn() {
    return [this] { return now; };
  }
};

BreakerSettings Settings() {
  return {.failure_ratio = 0.5, .minimum_calls = 4, .window = 10s, .open_for = 5s, .max_open_for = 20s};
}

void Call(CircuitBreaker& breaker, bool failure) {
  auto admission = breaker.Admit();
  ASSERT_TRUE(admission.allowed);
  breaker.Record(admission, failure);
}

TEST(CircuitBreakerTest, StaysClosedUntilEnoughCallsFailedThenOpensAndRefusesAtOnce) {
  ManualClock clock;
  CircuitBreaker breaker(Settings(), clock.fn());
  Call(breaker, true);
  Call(breaker, true);
  Call(breaker, true);  // 3 failures of 3: too few calls to judge
  EXPECT_EQ(breaker.Read().state, BreakerState::kClosed);
  Call(breaker, true);  // 4 of 4
  EXPECT_EQ(breaker.Read().state, BreakerState::kOpen);

  auto refused = breaker.Admit();
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 5s);
  EXPECT_EQ(breaker.Read().rejected, 1);
  EXPECT_EQ(breaker.Read().opened, 1);
}

TEST(CircuitBreakerTest, ARatioBelowTheThresholdKeepsItClosed) {
  ManualClock clock;
  CircuitBreaker breaker(Settings(), clock.fn());
  for (int i = 0; i < 10; ++i) Call(breaker, i % 3 == 2);  // 3 failures of 10, never half
  EXPECT_EQ(breaker.Read().state, BreakerState::kClosed);
  EXPECT_EQ(breaker.Read().calls, 10);
  EXPECT_EQ(breaker.Read().failures, 3);
}

TEST(CircuitBreakerTest, FailuresOlderThanTheWindowAreForgotten) {
  ManualClock clock;
  CircuitBreaker breaker(Settings(), clock.fn());
  Call(breaker, true);
  Call(breaker, true);
  Call(breaker, true);
  clock.now += 11s;
  Call(breaker, true);  // 1 failure in the window, not 4
  EXPECT_EQ(breaker.Read().state, BreakerState::kClosed);
  EXPECT_EQ(breaker.Read().failures, 1);
}

TEST(CircuitBreakerTest, AfterTheOpenPeriodOneProbeGoesAndItsSuccessClosesTheBreaker) {
  ManualClock clock;
  CircuitBreaker breaker(Settings(), clock.fn());
  for (int i = 0; i < 4; ++i) Call(breaker, true);
  clock.now += 5s;
  EXPECT_EQ(breaker.Read().state, BreakerState::kHalfOpen);

  auto probe = breaker.Admit();
  ASSERT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  EXPECT_FALSE(breaker.Admit().allowed) << "only one probe at a time";
  breaker.Record(probe, /*failure=*/false);
  EXPECT_EQ(breaker.Read().state, BreakerState::kClosed);
  EXPECT_EQ(breaker.Read().failures, 0) << "closing starts a fresh window";
  EXPECT_TRUE(breaker.Admit().allowed);
}

TEST(CircuitBreakerTest, AFailedProbeReopensForTwiceAsLongUpToTheMaximum) {
  ManualClock clock;
  CircuitBreaker breaker(Settings(), clock.fn());
  for (int i = 0; i < 4; ++i) Call(breaker, true);
  for (auto expected : {10s, 20s, 20s}) {
    clock.now += 30s;
    auto probe = breaker.Admit();
    ASSERT_TRUE(probe.probe);
    breaker.Record(probe, /*failure=*/true);
    EXPECT_EQ(breaker.Read().state, BreakerState::kOpen);
    EXPECT_EQ(breaker.Admit().retry_after, expected);
  }
}

TEST(CircuitBreakerTest, ACallAdmittedBeforeItOpenedDoesNotCountAfterwards) {
  ManualClock clock;
  CircuitBreaker breaker(Settings(), clock.fn());
  auto slow = breaker.Admit();
  for (int i = 0; i < 4; ++i) Call(breaker, true);
  breaker.Record(slow, /*failure=*/false);
  EXPECT_EQ(breaker.Read().state, BreakerState::kOpen);
}

TEST(BulkheadTest, RefusesBeyondItsLimitAndFreesASlotWhenACallLeaves) {
  Bulkhead bulkhead(2);
  EXPECT_TRUE(bulkhead.TryEnter());
  EXPECT_TRUE(bulkhead.TryEnter());
  EXPECT_FALSE(bulkhead.TryEnter());
  EXPECT_EQ(bulkhead.rejected(), 1);
  bulkhead.Leave();
  EXPECT_TRUE(bulkhead.TryEnter());
  EXPECT_EQ(bulkhead.in_flight(), 2);
}

TEST(UpstreamGuardTest, OnlyUpstreamFaultsCountAndAnOpenBreakerRefusesWithRetryAfter) {
  UpstreamGuard guard("payments", {.breaker = Settings(), .max_in_flight = 8});
  for (int i = 0; i < 10; ++i) {  // the upstream working: answers about the request itself
    auto pass = guard.Enter();
    guard.Finish(pass, grpc::Status(grpc::StatusCode::NOT_FOUND, "no such payment"));
  }
  EXPECT_EQ(guard.breaker().Read().state, BreakerState::kClosed);
  for (int i = 0; i < 10; ++i) {
    auto pass = guard.Enter();
    guard.Finish(pass, grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"));
  }
  auto refused = guard.Enter();
  ASSERT_FALSE(refused.allowed);
  EXPECT_EQ(refused.refusal.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(RetryAfterSeconds(refused.refusal), 5);
  EXPECT_EQ(guard.bulkhead().in_flight(), 0) << "every admitted call gave its slot back";
}

TEST(UpstreamGuardTest, AFullBulkheadRefusesWithoutJudgingTheUpstream) {
  UpstreamGuard guard("payments", {.breaker = Settings(), .max_in_flight = 1});
  auto first = guard.Enter();
  ASSERT_TRUE(first.allowed);
  for (int i = 0; i < 10; ++i) {
    auto refused = guard.Enter();
    ASSERT_FALSE(refused.allowed);
    EXPECT_EQ(refused.refusal.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    guard.Finish(refused, refused.refusal);
  }
  EXPECT_EQ(guard.breaker().Read().state, BreakerState::kClosed);
  EXPECT_EQ(guard.bulkhead().rejected(), 10);
  guard.Finish(first, grpc::Status::OK);
  EXPECT_TRUE(guard.Enter().allowed);
}

TEST(UpstreamGuardTest, GuardsAreOnePerUpstreamListedWhileTheirRegistryLives) {
  auto listed = [] {
    int count = 0;
    for (const auto& snapshot : SnapshotGuards()) count += snapshot.upstream == "guard-test-upstream";
    return count;
  };
  {
    Guards guards({.breaker = {}, .max_in_flight = 3});
    auto a = guards.For("guard-test-upstream");
    EXPECT_EQ(a.get(), guards.For("guard-test-upstream").get());
    EXPECT_EQ(a->bulkhead().limit(), 3);
    EXPECT_EQ(listed(), 1);
    Guards other({});
    EXPECT_NE(other.For("guard-test-upstream").get(), a.get()) << "another service in the same process";
    EXPECT_EQ(listed(), 2);
  }
  EXPECT_EQ(listed(), 0);
}

TEST(UpstreamGuardTest, TheFiguresShowEachBreakersStateCallsInFlightAndRefusals) {
  const std::string upstream = "upstream=\"figures-test\"";
  double open_refusals = Figure("rpc_upstream_refusals_total{reason=\"circuit_open\"," + upstream + "}");
  double busy_refusals = Figure("rpc_upstream_refusals_total{reason=\"busy\"," + upstream + "}");
  Guards guards({.breaker = Settings(), .max_in_flight = 2});
  auto guard = guards.For("figures-test");
  auto held = guard->Enter();
  EXPECT_EQ(Figure("rpc_breaker_state{" + upstream + "}"), 0);
  EXPECT_EQ(Figure("rpc_upstream_in_flight{" + upstream + "}"), 1);
  auto second = guard->Enter();
  EXPECT_FALSE(guard->Enter().allowed);  // the bulkhead holds two
  EXPECT_EQ(Figure("rpc_upstream_refusals_total{reason=\"busy\"," + upstream + "}") - busy_refusals, 1);
  guard->Finish(held, grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  guard->Finish(second, grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  for (int i = 0; i < 2; ++i) guard->Finish(guard->Enter(), grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  EXPECT_FALSE(guard->Enter().allowed);  // open
  EXPECT_EQ(Figure("rpc_breaker_state{" + upstream + "}"), 2);
  EXPECT_EQ(Figure("rpc_upstream_in_flight{" + upstream + "}"), 0);
  EXPECT_EQ(Figure("rpc_upstream_refusals_total{reason=\"circuit_open\"," + upstream + "}") - open_refusals, 1);
}

}  // namespace
}  // namespace storefront::rpc
