// Test doubles of inventory's ports (domain/ports.h), for domain, API and repository tests: the
// GoogleMock repository and a clock the test moves by hand.
#pragma once

#include <gmock/gmock.h>

#include <atomic>
#include <cstdint>

#include "domain/ports.h"

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

// A clock the test moves by hand; safe to read from a background thread (the sweeper) while
// the test advances it.
class FakeClock {
 public:
  explicit FakeClock(Timestamp start = Timestamp(std::chrono::seconds(1'800'000'000)))
      : micros_(types::ToMicros(start)) {}
  Timestamp now() const { return types::FromMicros(micros_.load()); }
  void Advance(std::chrono::microseconds by) { micros_ += by.count(); }
  Clock AsClock() {
    return [this] { return now(); };
  }

 private:
  std::atomic<std::int64_t> micros_;
};

}  // namespace storefront::inventory::domain
