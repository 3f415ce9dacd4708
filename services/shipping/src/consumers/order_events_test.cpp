// Shipping's order-event handlers against a real PostgreSQL, called directly with a transaction
// as the consumer would call them (no broker needed): what each event does to the shipment,
// which events that change announces, that handler, change and outbox share the consumer's
// transaction, and that bad payloads throw (to be retried, then dead-lettered) while an order
// without a shipment is only a warning.
#include "consumers/order_events.h"

#include <gtest/gtest.h>

#include <future>

#include "shared/events/topics.h"
#include "shared/testing/events.h"
#include "shared/testing/outbox_rows.h"
#include "shared/types/uuid.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"
#include "testing/fixture.h"

namespace storefront::shipping::consumers {
namespace {

using namespace std::chrono_literals;
using domain::ShipmentStatus;
using domain::Timestamp;
using storefront::testing::EnvelopeOf;
using storefront::types::NewUuid;
using testing::EventTypes;
using testing::OutboxRows;
namespace ev = storefront::events::v1;
namespace types = storefront::events::types;

// Far from the repository tests' days, so their passes and ours never meet.
const Timestamp kStart = Timestamp(std::chrono::hours(24 * 21'000));

storefront::events::Envelope Confirmed(const std::string& order_id) {
  ev::OrderConfirmed payload;
  payload.set_order_id(order_id);
  payload.set_customer_id("cus_42");
  return EnvelopeOf(types::kOrderConfirmed, payload);
}

storefront::events::Envelope Failed(const std::string& order_id,
                                    const std::string& reason = "shipping is unavailable; the payment was voided") {
  ev::OrderFailed payload;
  payload.set_order_id(order_id);
  payload.set_customer_id("cus_42");
  payload.set_failed_step("create_shipment");
  payload.set_reason(reason);
  return EnvelopeOf(types::kOrderFailed, payload);
}

storefront::events::Envelope Cancelled(const std::string& order_id, const std::string& reason = "") {
  ev::OrderCancelled payload;
  payload.set_order_id(order_id);
  payload.set_customer_id("cus_42");
  payload.set_reason(reason);
  return EnvelopeOf(types::kOrderCancelled, payload);
}

class OrderEventsTest : public DatabaseTest {
 protected:
  OrderEventsTest() : DatabaseTest(4, kStart) {}

  // Calls a handler the way the consumer does: in a transaction of the service's pool, committed
  // when the handler returns, rolled back when it throws.
  template <typename Handler>
  void Deliver(Handler handler, const storefront::events::Envelope& event) {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    (handlers_.*handler)(txn, event);
    txn.commit();
  }

  static domain::NewShipmentRequest Request(const std::string& order_id) {
    return {order_id, "cus_42", "standard",
            domain::Address{"Ada Lovelace", "12 Analytical Way", "", "Springfield", "IL", "62701", "US"},
            {{"79c8c292-6b94-45b5-b498-82321e35049e", "AUD-HP-0001", "Headphones", 1}}};
  }

  domain::Shipment NewShipment() { return shipping_.CreateShipment(Request(NewUuid())); }

  OrderEventHandlers handlers_{clock_.AsClock(), delays_};
};

TEST_F(OrderEventsTest, AConfirmedOrderShipsAndArrivesByItself) {
  clock_.Set(kStart + 1h);
  auto s = NewShipment();
  Deliver(&OrderEventHandlers::OnOrderConfirmed, Confirmed(s.order_id));
  EXPECT_EQ(shipping_.GetShipment(s.id).next_step_at, kStart + 1h + 30s);
  EXPECT_EQ(EventTypes(OutboxRows(dsn_, "shipping", s.order_id)), Types({types::kShipmentCreated}))
      << "scheduling announces nothing";

  shipping_.AdvanceDueShipments(kStart + 1h + 30s);
  EXPECT_EQ(shipping_.GetShipment(s.id).status, ShipmentStatus::kDispatched);
  shipping_.AdvanceDueShipments(kStart + 1h + 90s);
  EXPECT_EQ(shipping_.GetShipment(s.id).status, ShipmentStatus::kDelivered);

  auto rows = OutboxRows(dsn_, "shipping", s.order_id);
  ASSERT_EQ(EventTypes(rows), Types({types::kShipmentCreated, types::kShipmentDispatched, types::kShipmentDelivered}));
  EXPECT_EQ(rows[1].PayloadAs<ev::ShipmentDispatched>().order_id(), s.order_id);
  EXPECT_EQ(rows[1].key, s.order_id);
}

TEST_F(OrderEventsTest, ARedeliveredConfirmationDoesNotPushTheDispatchBack) {
  clock_.Set(kStart + 2h);
  auto s = NewShipment();
  Deliver(&OrderEventHandlers::OnOrderConfirmed, Confirmed(s.order_id));
  clock_.Set(kStart + 2h + 20s);
  Deliver(&OrderEventHandlers::OnOrderConfirmed, Confirmed(s.order_id));
  EXPECT_EQ(shipping_.GetShipment(s.id).next_step_at, kStart + 2h + 30s);
}

TEST_F(OrderEventsTest, ACancelledOrdersShipmentIsCancelledWithItsEvent) {
  clock_.Set(kStart + 3h);
  auto s = NewShipment();
  Deliver(&OrderEventHandlers::OnOrderConfirmed, Confirmed(s.order_id));
  Deliver(&OrderEventHandlers::OnOrderCancelled, Cancelled(s.order_id, "customer request"));
  auto stored = shipping_.GetShipment(s.id);
  EXPECT_EQ(stored.status, ShipmentStatus::kCancelled);
  EXPECT_EQ(stored.cancel_reason, "order cancelled: customer request");
  EXPECT_FALSE(stored.next_step_at) << "no dispatch any more";

  Deliver(&OrderEventHandlers::OnOrderCancelled, Cancelled(s.order_id, "again"));  // a redelivery
  auto rows = OutboxRows(dsn_, "shipping", s.order_id);
  ASSERT_EQ(EventTypes(rows), Types({types::kShipmentCreated, types::kShipmentCancelled}));
  auto payload = rows[1].PayloadAs<ev::ShipmentCancelled>();
  EXPECT_EQ(payload.shipment_id(), s.id);
  EXPECT_EQ(payload.order_id(), s.order_id);
  EXPECT_EQ(payload.reason(), "order cancelled: customer request");
}

TEST_F(OrderEventsTest, ACancellationAfterDispatchLeavesTheParcelGoing) {
  clock_.Set(kStart + 4h);
  auto s = NewShipment();
  Deliver(&OrderEventHandlers::OnOrderConfirmed, Confirmed(s.order_id));
  shipping_.AdvanceDueShipments(kStart + 4h + 30s);
  ASSERT_EQ(shipping_.GetShipment(s.id).status, ShipmentStatus::kDispatched);

  EXPECT_NO_THROW(Deliver(&OrderEventHandlers::OnOrderCancelled, Cancelled(s.order_id)));
  auto stored = shipping_.GetShipment(s.id);
  EXPECT_EQ(stored.status, ShipmentStatus::kDispatched);
  EXPECT_EQ(stored.next_step_at, kStart + 4h + 90s) << "still on its way to the door";
  EXPECT_EQ(EventTypes(OutboxRows(dsn_, "shipping", s.order_id)), Types({types::kShipmentCreated, types::kShipmentDispatched}));
}

TEST_F(OrderEventsTest, AnOrderWithoutAShipmentIsAWarningNotAnError) {
  const std::string order = NewUuid();
  EXPECT_NO_THROW(Deliver(&OrderEventHandlers::OnOrderConfirmed, Confirmed(order)));
  EXPECT_NO_THROW(Deliver(&OrderEventHandlers::OnOrderCancelled, Cancelled(order)));
  EXPECT_TRUE(OutboxRows(dsn_, "shipping", order).empty());
}

TEST_F(OrderEventsTest, AnUnreadablePayloadOrOrderIdThrowsSoTheConsumerCanDeadLetterIt) {
  auto garbage = Confirmed(NewUuid());
  garbage.set_payload("\xff\xff\xff not a protobuf");
  EXPECT_ANY_THROW(Deliver(&OrderEventHandlers::OnOrderConfirmed, garbage));
  EXPECT_THROW(Deliver(&OrderEventHandlers::OnOrderConfirmed, Confirmed("")), std::invalid_argument);
  EXPECT_THROW(Deliver(&OrderEventHandlers::OnOrderCancelled, Cancelled("'; DROP TABLE shipments; --")),
               std::invalid_argument);
  EXPECT_THROW(Deliver(&OrderEventHandlers::OnOrderFailed, Failed("not-a-uuid")), std::invalid_argument);
}

TEST_F(OrderEventsTest, TheChangeAndItsEventAreInTheConsumersTransaction) {
  clock_.Set(kStart + 5h);
  auto s = NewShipment();
  {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    handlers_.OnOrderCancelled(txn, Cancelled(s.order_id));
    EXPECT_EQ(EventTypes(OutboxRows(txn, "shipping", s.order_id)), Types({types::kShipmentCreated, types::kShipmentCancelled}));
    txn.abort();  // as when the inbox insert or the commit fails
  }
  EXPECT_EQ(shipping_.GetShipment(s.id).status, ShipmentStatus::kLabelCreated);
  EXPECT_EQ(EventTypes(OutboxRows(dsn_, "shipping", s.order_id)), Types({types::kShipmentCreated}));
}

// --- OrderFailed: unknown outcomes are maybe, never no (issue 11) ---------------------------------
// Checkout fails an order when CreateShipment times out, not knowing whether the shipment was
// made; the call may even commit after OrderFailed was handled. Whichever comes first, no live
// shipment may be left for the order.

TEST_F(OrderEventsTest, AFailedOrdersShipmentIsCancelledWithItsEvent) {
  clock_.Set(kStart + 6h);
  auto s = NewShipment();  // the call that timed out in checkout did land
  clock_.Advance(1min);
  Deliver(&OrderEventHandlers::OnOrderFailed, Failed(s.order_id));
  auto stored = shipping_.GetShipment(s.id);
  EXPECT_EQ(stored.status, ShipmentStatus::kCancelled);
  EXPECT_EQ(stored.cancel_reason, "order failed: shipping is unavailable; the payment was voided");
  EXPECT_EQ(stored.cancelled_at, kStart + 6h + 1min);

  Deliver(&OrderEventHandlers::OnOrderFailed, Failed(s.order_id));  // a redelivery
  auto rows = OutboxRows(dsn_, "shipping", s.order_id);
  ASSERT_EQ(EventTypes(rows), Types({types::kShipmentCreated, types::kShipmentCancelled}));
  EXPECT_EQ(rows[1].PayloadAs<ev::ShipmentCancelled>().reason(), stored.cancel_reason);
}

TEST_F(OrderEventsTest, AFailedOrCancelledOrderRefusesACreateThatArrivesLate) {
  const std::string failed = NewUuid();
  const std::string cancelled = NewUuid();
  Deliver(&OrderEventHandlers::OnOrderFailed, Failed(failed));
  Deliver(&OrderEventHandlers::OnOrderCancelled, Cancelled(cancelled, "shopper asked"));
  for (const auto& order : {failed, cancelled}) {
    EXPECT_THROW(shipping_.CreateShipment(Request(order)), FailedPrecondition);
    EXPECT_THROW(shipping_.GetShipmentByOrder(order), NotFound);
    EXPECT_TRUE(OutboxRows(dsn_, "shipping", order).empty());
  }
}

TEST_F(OrderEventsTest, AFailureAfterAnOperatorDispatchedTheShipmentLeavesTheParcelGoing) {
  clock_.Set(kStart + 7h);
  auto s = NewShipment();
  shipping_.AdvanceShipment(s.id, ShipmentStatus::kDispatched);
  EXPECT_NO_THROW(Deliver(&OrderEventHandlers::OnOrderFailed, Failed(s.order_id)));
  EXPECT_EQ(shipping_.GetShipment(s.id).status, ShipmentStatus::kDispatched);
  EXPECT_EQ(EventTypes(OutboxRows(dsn_, "shipping", s.order_id)),
            Types({types::kShipmentCreated, types::kShipmentDispatched}));
}

TEST_F(OrderEventsTest, ACreateQueuedBehindTheFailuresTransactionCreatesNothing) {
  clock_.Set(kStart + 8h);
  const std::string order = NewUuid();
  // OrderFailed is being handled: closure recorded, order's lock held, not yet committed.
  auto lease = pool_.Acquire();
  pqxx::work failing(*lease);
  handlers_.OnOrderFailed(failing, Failed(order));

  auto create = std::async(std::launch::async, [&] { return shipping_.CreateShipment(Request(order)); });
  AwaitQueuedOrDone(create, order);
  EXPECT_EQ(WaitersForOrderLock(order), 1) << "CreateShipment went ahead while the failure was being handled";
  failing.commit();

  EXPECT_THROW(create.get(), FailedPrecondition);
  EXPECT_THROW(shipping_.GetShipmentByOrder(order), NotFound);
  EXPECT_TRUE(OutboxRows(dsn_, "shipping", order).empty());
}

TEST_F(OrderEventsTest, AFailureQueuedBehindACreatesTransactionCancelsTheShipmentItCommits) {
  clock_.Set(kStart + 9h);
  const std::string order = NewUuid();
  // CreateShipment has inserted the shipment and holds the order's lock, not yet committed: the
  // moment at which checkout's deadline ran out.
  auto lease = pool_.Acquire();
  pqxx::work creating(*lease);
  repo::PgShipmentRepository in_txn(creating);
  domain::Shipping slow_call(in_txn, clock_.AsClock(), domain::SecureRandomDigits(), delays_);
  auto created = slow_call.CreateShipment(Request(order));

  auto failure = std::async(std::launch::async, [&] { Deliver(&OrderEventHandlers::OnOrderFailed, Failed(order)); });
  AwaitQueuedOrDone(failure, order);
  EXPECT_EQ(WaitersForOrderLock(order), 1) << "OrderFailed was handled without waiting for the create";
  creating.commit();
  failure.get();

  auto stored = shipping_.GetShipmentByOrder(order);
  EXPECT_EQ(stored.id, created.id);
  EXPECT_EQ(stored.status, ShipmentStatus::kCancelled);
  EXPECT_EQ(EventTypes(OutboxRows(dsn_, "shipping", order)), Types({types::kShipmentCreated, types::kShipmentCancelled}));
}

}  // namespace
}  // namespace storefront::shipping::consumers
