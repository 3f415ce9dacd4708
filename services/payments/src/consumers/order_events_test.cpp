// Payments' reaction to OrderCancelled against a real PostgreSQL, the handler called directly
// with a transaction as the consumer would call it (no broker needed): a cancelled order's
// authorization is voided or its captured payment refunded, each change writes its event in the
// consumer's transaction, a redelivery changes nothing, and an order with nothing to release is
// only logged. Bad payloads of either topic: shipment_events_test.cpp.
#include "consumers/order_events.h"

#include <gtest/gtest.h>

#include "storefront/events/v1/payments_events.pb.h"
#include "testing/event_handlers_fixture.h"

namespace storefront::payments::testing {
namespace {

namespace types = storefront::events::types;

TEST_F(EventHandlersTest, ACancelledOrdersAuthorizationIsVoided) {
  Payment payment = Authorized();
  Deliver(Cancelled(order_, "changed my mind"));
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kVoided);
  EXPECT_EQ(repo_.Operations(payment.id).back().idempotency_key, "void:" + order_);
  auto rows = OutboxRows(SharedPostgres().Dsn("payments"), "payments", order_);
  ASSERT_EQ(EventTypes(rows), Types({types::kPaymentAuthorized, types::kPaymentVoided}));
  EXPECT_EQ(rows[1].PayloadAs<ev::PaymentVoided>().amount().amount_minor(), 12999);

  Deliver(Cancelled(order_, "changed my mind"));  // redelivered
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized, types::kPaymentVoided}));
}

TEST_F(EventHandlersTest, ACancelledOrdersCapturedPaymentIsRefundedInFull) {
  Payment payment = Authorized();
  Deliver(Dispatched(order_));
  Deliver(Cancelled(order_, "returned by the carrier"));
  auto refunded = payments_.GetPayment(payment.id);
  EXPECT_EQ(refunded.status, PaymentStatus::kRefunded);
  EXPECT_EQ(refunded.refunded_minor, 12999);
  EXPECT_EQ(repo_.Operations(payment.id).back().idempotency_key, "refund:" + order_);
  auto rows = OutboxRows(SharedPostgres().Dsn("payments"), "payments", order_);
  ASSERT_EQ(EventTypes(rows), Types({types::kPaymentAuthorized, types::kPaymentCaptured, types::kPaymentRefunded}));
  auto event = rows[2].PayloadAs<ev::PaymentRefunded>();
  EXPECT_EQ(event.amount().amount_minor(), 12999);
  EXPECT_TRUE(event.fully_refunded());
  EXPECT_EQ(event.reason(), "order cancelled: returned by the carrier");

  Deliver(Cancelled(order_));
  EXPECT_EQ(processor_.refunds.load(), 1) << "refunded once";
}

TEST_F(EventHandlersTest, ACancelledOrderWithNothingToReleaseChangesNothing) {
  EXPECT_NO_THROW(Deliver(Cancelled(order_)));
  EXPECT_TRUE(Events().empty());
}

}  // namespace
}  // namespace storefront::payments::testing
