#include "shared/types/deadline.h"

#include <gtest/gtest.h>

#include "shared/errors/errors.h"

namespace storefront::deadline {
namespace {

using namespace std::chrono_literals;

TEST(DeadlineTest, OutsideAnyScopeEveryWaitGetsItsOwnFallbackAndNothingIsSpent) {
  EXPECT_EQ(Current(), std::nullopt);
  EXPECT_EQ(Remaining(3000ms), 3000ms);
  EXPECT_FALSE(CallerGone());
  EXPECT_NO_THROW(ThrowIfSpent("work"));
}

TEST(DeadlineTest, AWaitGetsWhatIsLeftOfTheCallersBudgetWhenThatIsLessThanItsOwn) {
  Scope scope(Clock::now() + 500ms);
  auto left = Remaining(3000ms);
  EXPECT_LE(left, 500ms);
  EXPECT_GT(left, 400ms);
  EXPECT_EQ(Remaining(100ms), 100ms);  // its own is shorter
}

TEST(DeadlineTest, ASpentBudgetLeavesZeroAndRefusesToStartWork) {
  Scope scope(Clock::now() - 1ms);
  EXPECT_EQ(Remaining(3000ms), 0ms);
  EXPECT_TRUE(CallerGone());
  EXPECT_THROW(ThrowIfSpent("reserve stock"), DeadlineExceeded);
  try {
    ThrowIfSpent("reserve stock");
  } catch (const Unavailable& error) {  // callers treating outages as "later" treat this the same
    EXPECT_NE(std::string(error.what()).find("reserve stock was not started"), std::string::npos);
  }
}

TEST(DeadlineTest, ACallerThatHungUpCountsAsGoneBeforeItsDeadline) {
  bool cancelled = false;
  Scope scope(Clock::now() + 10s, [&] { return cancelled; });
  EXPECT_FALSE(CallerGone());
  cancelled = true;
  EXPECT_TRUE(CallerGone());
  EXPECT_THROW(ThrowIfSpent("work"), DeadlineExceeded);
}

TEST(DeadlineTest, AnInnerScopeCannotExtendTheOuterBudgetAndTheOuterReturnsWhenItEnds) {
  auto outer_deadline = Clock::now() + 200ms;
  Scope outer(outer_deadline);
  {
    Scope inner(Clock::now() + 10s);
    EXPECT_EQ(Current(), outer_deadline);
    Scope none(std::nullopt);
    EXPECT_EQ(Current(), outer_deadline);
  }
  {
    auto nearer = Clock::now() + 50ms;
    Scope inner(nearer);
    EXPECT_EQ(Current(), nearer);
  }
  EXPECT_EQ(Current(), outer_deadline);
}

TEST(DeadlineTest, DetachedWorkFinishesWhateverBecameOfTheCaller) {
  Scope gone(Clock::now() - 1ms, [] { return true; });
  ASSERT_TRUE(CallerGone());
  {
    Detached finishing;
    EXPECT_EQ(Current(), std::nullopt);
    EXPECT_FALSE(CallerGone());
    EXPECT_NO_THROW(ThrowIfSpent("record the processor's answer"));
    EXPECT_EQ(Remaining(3000ms), 3000ms);
    Scope own_call(Clock::now() + 100ms);  // a call it makes still gets a deadline of its own
    EXPECT_LE(Remaining(3000ms), 100ms);
  }
  EXPECT_TRUE(CallerGone());
}

}  // namespace
}  // namespace storefront::deadline
