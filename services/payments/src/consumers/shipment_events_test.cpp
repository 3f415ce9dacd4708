// Payments' reaction to ShipmentDispatched against a real PostgreSQL, the handler called directly
// with a transaction as the consumer would call it (no broker needed): a dispatched shipment
// captures the order's payment once, in the consumer's transaction; an order without an
// authorized payment is only a warning; bad payloads (of this topic and the order topic) throw, to
// be retried and then dead-lettered.
#include "consumers/shipment_events.h"

#include <gtest/gtest.h>

#include "storefront/events/v1/payments_events.pb.h"
#include "testing/event_handlers_fixture.h"

namespace storefront::payments::testing {
namespace {

namespace types = storefront::events::types;

TEST_F(EventHandlersTest, ADispatchedShipmentCapturesTheAuthorizedPaymentInFullOnce) {
  Payment payment = Authorized();
  Deliver(Dispatched(order_));
  auto captured = payments_.GetPayment(payment.id);
  EXPECT_EQ(captured.status, PaymentStatus::kCaptured);
  EXPECT_EQ(captured.captured_minor, 12999);
  auto ledger = repo_.Operations(payment.id);
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[1].idempotency_key, "capture:" + order_);

  auto rows = OutboxRows(SharedPostgres().Dsn("payments"), "payments", order_);
  ASSERT_EQ(EventTypes(rows), Types({types::kPaymentAuthorized, types::kPaymentCaptured}));
  auto event = rows[1].PayloadAs<ev::PaymentCaptured>();
  EXPECT_EQ(event.payment_id(), payment.id);
  EXPECT_EQ(event.order_id(), order_);
  EXPECT_EQ(event.amount().amount_minor(), 12999);
  EXPECT_EQ(rows[1].key, order_);

  // The same news again (a redelivery under another event id): already captured, nothing changes.
  Deliver(Dispatched(order_));
  EXPECT_EQ(processor_.captures.load(), 1);
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized, types::kPaymentCaptured}));
}

TEST_F(EventHandlersTest, ADispatchedShipmentWithoutAnAuthorizedPaymentIsAWarningNotAnError) {
  EXPECT_NO_THROW(Deliver(Dispatched(order_)));
  payments_.Authorize({order_ + ":declined", order_, "customer-1", domain::Money{100, "USD"},
                       domain::Card{"4000 0000 0000 0002", 12, 2099, "123"}});
  EXPECT_NO_THROW(Deliver(Dispatched(order_)));
  EXPECT_EQ(processor_.captures.load(), 0);
  EXPECT_EQ(Events(), Types({types::kPaymentFailed}));
}

TEST_F(EventHandlersTest, AnUnreadablePayloadOrOrderIdThrowsSoTheConsumerCanDeadLetterIt) {
  Authorized();
  auto garbage = Dispatched(order_);
  garbage.set_payload("\xff\xff\xff not a protobuf");
  EXPECT_ANY_THROW(Deliver(garbage));
  EXPECT_THROW(Deliver(Dispatched("")), std::invalid_argument);
  EXPECT_THROW(Deliver(Cancelled("not-an-order")), std::invalid_argument);
  EXPECT_THROW(Deliver(Failed("not-an-order")), std::invalid_argument);
  auto unreadable_failure = Failed(order_);
  unreadable_failure.set_payload("\xff\xff\xff not a protobuf");
  EXPECT_ANY_THROW(Deliver(unreadable_failure));
  EXPECT_EQ(Closure(), std::nullopt) << "nothing recorded for an event that did not parse";
  EXPECT_EQ(processor_.captures.load(), 0);
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized}));
}

TEST_F(EventHandlersTest, TheChangeAndItsEventAreInTheConsumersTransaction) {
  Payment payment = Authorized();
  {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    shipment_events_.OnShipmentDispatched(txn, Dispatched(order_));
    EXPECT_EQ(EventTypes(OutboxRows(txn, "payments", order_)), Types({types::kPaymentAuthorized, types::kPaymentCaptured}));
    txn.abort();  // as when the inbox insert or the commit fails
  }
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kAuthorized);
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized}));
  // The capture key was rolled back with it, so the redelivery captures for real.
  Deliver(Dispatched(order_));
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kCaptured);
}

}  // namespace
}  // namespace storefront::payments::testing
