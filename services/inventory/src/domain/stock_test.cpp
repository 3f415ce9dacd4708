#include "domain/stock.h"

#include <gtest/gtest.h>

namespace storefront::inventory::domain {
namespace {

using S = ReservationState;

TEST(StockTest, UuidsAreCheckedAndCompareCaseInsensitively) {
  EXPECT_TRUE(IsUuid("79c8c292-6b94-45b5-b498-82321e35049e"));
  EXPECT_TRUE(IsUuid("79C8C292-6B94-45B5-B498-82321E35049E"));
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("79c8c292-6b94-45b5-b498-82321e35049"));    // short
  EXPECT_FALSE(IsUuid("79c8c292x6b94-45b5-b498-82321e35049e"));   // dash missing
  EXPECT_FALSE(IsUuid("79c8c292-6b94-45b5-b498-82321e35049g"));   // not hex
  EXPECT_FALSE(IsUuid("'; DROP TABLE stock; --aaaaaaaaaaaaaaa"));
  EXPECT_EQ(NormalizeUuid("79C8C292-6B94-45B5-B498-82321E35049E"), "79c8c292-6b94-45b5-b498-82321e35049e");
}

TEST(StockTest, TextLimitsCountCharactersNotBytes) {
  EXPECT_EQ(CodePoints("abc"), 3u);
  EXPECT_EQ(CodePoints("caf\xC3\xA9"), 4u);      // café
  EXPECT_EQ(CodePoints("\xE2\x82\xAC" "5"), 2u);  // €5
  EXPECT_TRUE(HasControlCharacters(std::string("a\0b", 3)));
  EXPECT_TRUE(HasControlCharacters("a\nb"));
  EXPECT_FALSE(HasControlCharacters("a\nb\tc", "\n\t"));
  EXPECT_TRUE(HasControlCharacters("a\rb", "\n\t"));
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
