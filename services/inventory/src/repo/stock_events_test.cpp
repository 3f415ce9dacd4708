// Every change inventory makes announces itself through inventory.outbox in the same transaction:
// the expected rows (event type and Kafka key) for each use case, none for a change that did not
// happen or rolled back. Against a real PostgreSQL; every test uses fresh product and order ids
// and reads back only the rows keyed by them.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "shared/errors/errors.h"
#include "shared/events/topics.h"
#include "storefront/events/v1/inventory_events.pb.h"
#include "testing/fixture.h"

namespace storefront::inventory::repo {
namespace {

using namespace domain;
using storefront::testing::SharedPostgres;
using storefront::types::NewUuid;
using testing::OutboxRow;
using testing::OutboxRowsFor;
using testing::Summaries;
using ::testing::ElementsAre;
namespace ev = storefront::events::v1;
namespace types = storefront::events::types;

// Two fresh ids, the first sorting before the second: stock rows are locked, and so announced,
// in product_id order.
std::pair<std::string, std::string> TwoIdsInOrder() {
  auto a = NewUuid(), b = NewUuid();
  if (b < a) std::swap(a, b);
  return {a, b};
}

class StockEventsTest : public DatabaseTest {};

TEST_F(StockEventsTest, AReservationAnnouncesEachProductAndLowStockOnTheCrossing) {
  const auto [a, b] = TwoIdsInOrder();
  Stocked(10, a);
  Stocked(8, b);
  NewRows({a, b});
  const auto order = NewUuid();
  auto reservation = Reserve(order, {{b, 4}, {a, 2}});  // b: 8 -> 4 available, threshold 5

  auto rows = NewRows({a, b, order});
  EXPECT_THAT(Summaries(rows), ElementsAre(Row(types::kStockChanged, a), Row(types::kStockChanged, b),
                                           Row(types::kLowStock, b)))
      << "one StockChanged per product in product order; LowStock only for the one that crossed";
  ASSERT_EQ(rows.size(), 3u);
  const auto& envelope = rows[1].envelope;
  EXPECT_EQ(rows[1].topic, events::kStockTopic);
  EXPECT_EQ(envelope.aggregate_type(), "stock");
  EXPECT_EQ(envelope.aggregate_id(), b);
  EXPECT_EQ(envelope.producer(), "inventory");
  EXPECT_EQ(envelope.payload_type(), "storefront.events.v1.StockChanged");
  auto changed = rows[1].PayloadAs<ev::StockChanged>();
  EXPECT_EQ(changed.product_id(), b);
  EXPECT_EQ(changed.on_hand(), 8);
  EXPECT_EQ(changed.reserved(), 4);
  EXPECT_EQ(changed.available(), 4);
  EXPECT_EQ(changed.low_stock_threshold(), 5);
  EXPECT_EQ(changed.cause(), ev::STOCK_CHANGE_CAUSE_RESERVED);
  EXPECT_EQ(changed.reference_id(), reservation.id);
  auto low = rows[2].PayloadAs<ev::LowStock>();
  EXPECT_EQ(low.available(), 4);
  EXPECT_EQ(low.low_stock_threshold(), 5);

  // Already low: another reservation changes the level but is not a new crossing.
  Reserve(NewUuid(), {{b, 1}});
  EXPECT_THAT(Summaries(NewRows({a, b})), ElementsAre(Row(types::kStockChanged, b)));
  // A retry of the first order changes nothing and announces nothing.
  Reserve(order, {{a, 2}, {b, 4}});
  EXPECT_TRUE(NewRows({a, b, order}).empty());
}

TEST_F(StockEventsTest, AShortageRollsBackItsEventsWithItsLines) {
  const auto plenty = Stocked(10), scarce = Stocked(2);
  NewRows({plenty, scarce});
  const auto order = NewUuid();
  EXPECT_FALSE(inventory_.ReserveStock({order, {{plenty, 4}, {scarce, 3}}, 0}).reservation);
  EXPECT_TRUE(NewRows({plenty, scarce, order}).empty()) << "plenty's line was taken, then rolled back with its event";
}

TEST_F(StockEventsTest, ACommitAnnouncesTheReservationKeyedByItsOrderOnce) {
  const auto [a, b] = TwoIdsInOrder();
  Stocked(10, a);
  Stocked(10, b);
  const auto order = NewUuid();
  auto reservation = Reserve(order, {{b, 3}, {a, 2}});
  NewRows({a, b, order});

  inventory_.CommitReservation(reservation.id);
  auto rows = NewRows({a, b, order});
  EXPECT_THAT(Summaries(rows), ElementsAre(Row(types::kStockChanged, a), Row(types::kStockChanged, b),
                                           Row(types::kReservationCommitted, order)));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].PayloadAs<ev::StockChanged>().cause(), ev::STOCK_CHANGE_CAUSE_COMMITTED);
  EXPECT_EQ(rows[0].PayloadAs<ev::StockChanged>().on_hand(), 8);
  EXPECT_EQ(rows[0].PayloadAs<ev::StockChanged>().reserved(), 0);
  EXPECT_EQ(rows[2].topic, events::kStockTopic);
  EXPECT_EQ(rows[2].envelope.aggregate_type(), "reservation");
  auto committed = rows[2].PayloadAs<ev::ReservationCommitted>();
  EXPECT_EQ(committed.reservation_id(), reservation.id);
  EXPECT_EQ(committed.order_id(), order);
  ASSERT_EQ(committed.lines_size(), 2);
  EXPECT_EQ(committed.lines(1).product_id(), b);
  EXPECT_EQ(committed.lines(1).quantity(), 3);

  inventory_.CommitReservation(reservation.id);  // a retry
  EXPECT_TRUE(NewRows({a, b, order}).empty());
}

TEST_F(StockEventsTest, AReleaseAnnouncesItsReasonAndWhetherTheUnitsWereSold) {
  const auto product = Stocked(10);
  const auto failed_order = NewUuid(), cancelled_order = NewUuid();
  auto failed = Reserve(failed_order, {{product, 2}});
  auto cancelled = Reserve(cancelled_order, {{product, 3}});
  inventory_.CommitReservation(cancelled.id);
  NewRows({product, failed_order, cancelled_order});

  inventory_.ReleaseReservation(failed.id, ReleaseReason::kCheckoutFailed);
  auto rows = NewRows({product, failed_order, cancelled_order});
  ASSERT_THAT(Summaries(rows),
              ElementsAre(Row(types::kStockChanged, product), Row(types::kReservationReleased, failed_order)));
  EXPECT_EQ(rows[0].PayloadAs<ev::StockChanged>().cause(), ev::STOCK_CHANGE_CAUSE_RELEASED);
  EXPECT_EQ(rows[0].PayloadAs<ev::StockChanged>().available(), 7);
  auto released = rows[1].PayloadAs<ev::ReservationReleased>();
  EXPECT_EQ(released.reason(), ev::RESERVATION_RELEASE_REASON_CHECKOUT_FAILED);
  EXPECT_FALSE(released.was_committed());

  inventory_.ReleaseReservation(cancelled.id, ReleaseReason::kOrderCancelled);
  rows = NewRows({product, failed_order, cancelled_order});
  ASSERT_THAT(Summaries(rows),
              ElementsAre(Row(types::kStockChanged, product), Row(types::kReservationReleased, cancelled_order)));
  EXPECT_EQ(rows[0].PayloadAs<ev::StockChanged>().on_hand(), 10) << "back on the shelf";
  released = rows[1].PayloadAs<ev::ReservationReleased>();
  EXPECT_EQ(released.reason(), ev::RESERVATION_RELEASE_REASON_ORDER_CANCELLED);
  EXPECT_TRUE(released.was_committed());

  inventory_.ReleaseReservation(cancelled.id, ReleaseReason::kOrderCancelled);  // a retry
  EXPECT_TRUE(NewRows({product, failed_order, cancelled_order}).empty());
}

TEST_F(StockEventsTest, AdjustmentsAnnounceTheLevelAndLowStockOncePerCrossing) {
  const auto product = NewUuid();
  auto adjust = [&](int delta, AdjustmentReason reason, const std::string& key = NewUuid()) {
    return inventory_.AdjustStock({key, product, delta, reason, "", "test"});
  };
  auto first = adjust(10, AdjustmentReason::kRestock);  // creates the row: 0 -> 10, not a crossing
  auto rows = NewRows({product});
  ASSERT_THAT(Summaries(rows), ElementsAre(Row(types::kStockChanged, product)));
  auto changed = rows[0].PayloadAs<ev::StockChanged>();
  EXPECT_EQ(changed.cause(), ev::STOCK_CHANGE_CAUSE_ADJUSTED);
  EXPECT_EQ(changed.reference_id(), first.adjustment.id);
  EXPECT_EQ(changed.on_hand(), 10);

  adjust(-5, AdjustmentReason::kCount);  // 10 -> 5: crosses
  EXPECT_THAT(Summaries(NewRows({product})),
              ElementsAre(Row(types::kStockChanged, product), Row(types::kLowStock, product)));
  adjust(-1, AdjustmentReason::kDamaged);  // 5 -> 4: still low, no second LowStock
  EXPECT_THAT(Summaries(NewRows({product})), ElementsAre(Row(types::kStockChanged, product)));
  const auto key = NewUuid();
  adjust(20, AdjustmentReason::kRestock, key);  // 4 -> 24: back above
  EXPECT_THAT(Summaries(NewRows({product})), ElementsAre(Row(types::kStockChanged, product)));
  adjust(-20, AdjustmentReason::kCount);  // 24 -> 4: a new crossing
  EXPECT_THAT(Summaries(NewRows({product})),
              ElementsAre(Row(types::kStockChanged, product), Row(types::kLowStock, product)));

  adjust(20, AdjustmentReason::kRestock, key);  // a replay: nothing changes, nothing announced
  EXPECT_THAT(Summaries(NewRows({product})), ElementsAre());
  EXPECT_THROW(adjust(-5, AdjustmentReason::kCount), FailedPrecondition);  // below zero: refused
  EXPECT_THAT(Summaries(NewRows({product})), ElementsAre());
}

TEST_F(StockEventsTest, TheSweepAnnouncesEachExpiredHoldAndOneStockChangePerProduct) {
  const auto shared = Stocked(10), single = Stocked(10);
  const auto first = NewUuid(), second = NewUuid();
  auto one = Reserve(first, {{shared, 2}, {single, 1}}, 60);
  auto two = Reserve(second, {{shared, 3}}, 60);
  NewRows({shared, single, first, second});

  const Timestamp later = clock_.Now() + std::chrono::seconds(61);
  while (repo_.ExpireDue(later, 1000) > 0) {
  }
  auto rows = NewRows({shared, single, first, second});
  std::map<std::string, std::vector<const OutboxRow*>> by_key;
  for (const auto& row : rows) by_key[row.key].push_back(&row);
  ASSERT_EQ(rows.size(), 4u) << ::testing::PrintToString(Summaries(rows));
  ASSERT_EQ(by_key[shared].size(), 1u) << "one StockChanged for the product both holds shared";
  auto changed = by_key[shared][0]->PayloadAs<ev::StockChanged>();
  EXPECT_EQ(changed.cause(), ev::STOCK_CHANGE_CAUSE_RELEASED);
  EXPECT_EQ(changed.reserved(), 0);
  EXPECT_EQ(changed.reference_id(), "") << "two reservations were behind it";
  ASSERT_EQ(by_key[single].size(), 1u);
  EXPECT_EQ(by_key[single][0]->PayloadAs<ev::StockChanged>().reference_id(), one.id);
  for (const auto& [order, reservation, lines] :
       {std::tuple{first, one.id, 2}, std::tuple{second, two.id, 1}}) {
    ASSERT_EQ(by_key[order].size(), 1u) << order;
    EXPECT_EQ(by_key[order][0]->event_type, types::kReservationReleased);
    auto released = by_key[order][0]->PayloadAs<ev::ReservationReleased>();
    EXPECT_EQ(released.reservation_id(), reservation);
    EXPECT_EQ(released.reason(), ev::RESERVATION_RELEASE_REASON_EXPIRED);
    EXPECT_FALSE(released.was_committed());
    EXPECT_EQ(released.lines_size(), lines);
  }
}

// The proof that the event and the change share one transaction: inside it the row is there,
// outside it is not until the commit, and an abort takes both away.
TEST_F(StockEventsTest, TheEventsCommitOrRollBackWithTheChange) {
  const auto product = Stocked(10);
  const auto order = NewUuid();
  auto reservation = Reserve(order, {{product, 4}});
  NewRows({product, order});

  pqxx::connection connection(SharedPostgres().Dsn("inventory"));
  PgInventoryRepository::Prepare(connection);
  {
    pqxx::work txn(connection);
    const auto before = OutboxRowsFor(txn, "inventory", {product, order}).size();
    const auto now = clock_.Now();
    auto committed = PgInventoryRepository(txn).ChangeReservation(reservation.id, now, CommitDecision(now));
    ASSERT_TRUE(committed);
    EXPECT_EQ(committed->state, ReservationState::kCommitted);
    EXPECT_EQ(OutboxRowsFor(txn, "inventory", {product, order}).size(), before + 2) << "StockChanged and ReservationCommitted";
    EXPECT_TRUE(NewRows({product, order}).empty()) << "invisible to anyone else before the commit";
    txn.abort();
  }
  EXPECT_TRUE(NewRows({product, order}).empty()) << "rolled back with the change";
  EXPECT_EQ(repo_.GetStockLevels({product})[0].reserved, 4);

  {
    pqxx::work txn(connection);
    const auto now = clock_.Now();
    PgInventoryRepository(txn).ChangeReservation(reservation.id, now, CommitDecision(now));
    txn.commit();
  }
  EXPECT_THAT(Summaries(NewRows({product, order})),
              ElementsAre(Row(types::kStockChanged, product), Row(types::kReservationCommitted, order)));
}

}  // namespace
}  // namespace storefront::inventory::repo
