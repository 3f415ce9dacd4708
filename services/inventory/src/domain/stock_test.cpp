#include "domain/stock.h"

#include <gtest/gtest.h>

namespace storefront::inventory::domain {
namespace {

using S = ReservationState;

TEST(StockTest, TextLimitsCountCharactersNotBytes) {
  EXPECT_EQ(CodePoints("abc"), 3u);
  EXPECT_EQ(CodePoints("caf\xC3\xA9"), 4u);      // café
  EXPECT_EQ(CodePoints("\xE2\x82\xAC" "5"), 2u);  // €5
}

TEST(StockTest, EachNameParsesBackToItsValue) {
  for (auto state : {ReservationState::kActive, ReservationState::kCommitted, ReservationState::kReleased}) {
    EXPECT_EQ(ReservationStateFromName(Name(state)), state);
  }
  for (auto reason : {ReleaseReason::kNone, ReleaseReason::kCheckoutFailed, ReleaseReason::kOrderCancelled,
                      ReleaseReason::kExpired}) {
    EXPECT_EQ(ReleaseReasonFromName(Name(reason)), reason);
  }
  for (auto reason : {AdjustmentReason::kRestock, AdjustmentReason::kCount, AdjustmentReason::kDamaged,
                      AdjustmentReason::kReturned}) {
    EXPECT_EQ(AdjustmentReasonFromName(Name(reason)), reason);
  }
  EXPECT_EQ(ReservationStateFromName("ACTIVE"), std::nullopt);
  EXPECT_EQ(AdjustmentReasonFromName(""), std::nullopt);
}

// The whole state machine: the only transitions, and what each does to stock per unit.
TEST(StockTest, EffectOfEachReservationTransition) {
  EXPECT_EQ(EffectOf(S::kActive, S::kCommitted), (StockEffect{-1, -1}));  // sold: leaves the shelf and the hold
  EXPECT_EQ(EffectOf(S::kActive, S::kReleased), (StockEffect{0, -1}));    // hold ends: available again
  EXPECT_EQ(EffectOf(S::kCommitted, S::kReleased), (StockEffect{+1, 0}));  // cancelled before dispatch: restocked
  for (auto from : {S::kActive, S::kCommitted, S::kReleased}) {
    EXPECT_FALSE(EffectOf(from, from)) << Name(from);
    EXPECT_FALSE(EffectOf(from, S::kActive)) << Name(from);
  }
  EXPECT_FALSE(EffectOf(S::kReleased, S::kCommitted));
  EXPECT_FALSE(EffectOf(S::kCommitted, S::kActive));
}

TEST(StockTest, OverdueMeansActiveAtOrPastTheDeadline) {
  Reservation r;
  r.expires_at = Timestamp(std::chrono::seconds(1000));
  EXPECT_FALSE(IsOverdue(r, Timestamp(std::chrono::seconds(999))));
  EXPECT_TRUE(IsOverdue(r, Timestamp(std::chrono::seconds(1000))));
  r.state = S::kCommitted;
  EXPECT_FALSE(IsOverdue(r, Timestamp(std::chrono::seconds(2000))));
}

// LowStock is announced once per crossing: from above the threshold to at or below it.
TEST(StockTest, AMoveCrossesIntoLowStockOnlyOnTheWayDown) {
  auto move = [](int on_hand, int reserved, StockEffect delta) {
    return StockMove{{"p", on_hand, reserved, /*low_stock_threshold=*/5, {}}, delta};
  };
  EXPECT_EQ(move(10, 5, {0, 3}).AvailableBefore(), 8);
  EXPECT_TRUE(move(10, 5, {0, 3}).CrossedIntoLowStock());     // reserved: 8 -> 5
  EXPECT_TRUE(move(4, 0, {-3, 0}).CrossedIntoLowStock());     // adjusted: 7 -> 4
  EXPECT_FALSE(move(10, 4, {0, 1}).CrossedIntoLowStock());    // 7 -> 6: still above
  EXPECT_FALSE(move(10, 6, {0, 1}).CrossedIntoLowStock());    // 5 -> 4: already low
  EXPECT_FALSE(move(10, 0, {0, -5}).CrossedIntoLowStock());   // released: 5 -> 10, up
  EXPECT_FALSE(move(7, 2, {-3, -3}).CrossedIntoLowStock());   // committed: 5 -> 5, unchanged
  EXPECT_FALSE(move(3, 0, {3, 0}).CrossedIntoLowStock());     // a new row: 0 -> 3, up
}

}  // namespace
}  // namespace storefront::inventory::domain
