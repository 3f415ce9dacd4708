// Test doubles of inventory's ports (domain/ports.h), for domain, API and repository tests: the
// GoogleMock repository and a clock the test moves by hand.
#pragma once

#include <gmock/gmock.h>

#include "domain/ports.h"
#include "shared/testing/manual_clock.h"

namespace storefront::inventory::domain {

class MockInventoryRepository : public InventoryRepository {
 public:
  MOCK_METHOD(std::vector<StockLevel>, GetStockLevels, (const std::vector<std::string>&), (override));
  MOCK_METHOD(LowStockPage, ListLowStock, (const LowStockQuery&), (override));
  MOCK_METHOD(StockLevelPage, ListStockLevels, (const StockLevelQuery&), (override));
  MOCK_METHOD(AdjustmentPage, ListAdjustments, (const AdjustmentQuery&), (override));
  MOCK_METHOD(ReserveOutcome, Reserve, (const NewReservation&), (override));
  MOCK_METHOD(std::optional<Reservation>, ChangeReservation,
              (const std::string&, Timestamp, const ReservationDecision&), (override));
  MOCK_METHOD(std::optional<Reservation>, ChangeReservationByOrder,
              (const std::string&, Timestamp, const ReservationDecision&), (override));
  MOCK_METHOD(int, ExpireDue, (Timestamp, int), (override));
  MOCK_METHOD(AdjustOutcome, Adjust, (const NewAdjustment&), (override));
};

// The clock port's double: the store's hand-moved test clock (shared/testing/manual_clock.h), safe
// to read from the sweeper's thread while the test advances it.
using FakeClock = ::storefront::testing::ManualClock;

}  // namespace storefront::inventory::domain
