// Payments' reaction to OrderFailed and OrderCancelled against a real PostgreSQL, the handler
// called directly with a transaction as the consumer would call it (no broker needed), then a
// sweep as the App runs it: an ended order's authorization is voided or its captured payment
// refunded (recorded in the consumer's transaction, carried out by the sweeper after its commit,
// which writes each change's event), a redelivery changes nothing, an order with nothing to
// release is only logged, and an Authorize that outlived checkout's deadline (its table locked, as
// in the issue) is voided when its answer is recorded, while one arriving after the order ended
// is refused.
// Bad payloads of either topic: shipment_events_test.cpp.
#include "consumers/order_events.h"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include "storefront/events/v1/payments_events.pb.h"
#include "testing/event_handlers_fixture.h"

namespace storefront::payments::testing {
namespace {

namespace types = storefront::events::types;

TEST_F(EventHandlersTest, ACancelledOrdersAuthorizationIsVoided) {
  Payment payment = Authorized();
  Handle(Cancelled(order_, "changed my mind"));
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kAuthorized)
      << "the handler records the void; the sweeper carries it out";
  EXPECT_EQ(processor_.voids.load(), 0);
  payments_.ResolveDueIntents();
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
  EXPECT_EQ(ProcessorActions(payment.id),
            (std::vector<std::string>{"authorize succeeded", "capture succeeded", "refund succeeded"}));
}

TEST_F(EventHandlersTest, ACancelledOrderWithNothingToReleaseChangesNothing) {
  EXPECT_NO_THROW(Deliver(Cancelled(order_)));
  EXPECT_TRUE(Events().empty());
}

TEST_F(EventHandlersTest, AFailedOrdersAuthorizationIsVoided) {
  Payment payment = Authorized();
  Deliver(Failed(order_, "payment timed out"));
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kVoided);
  EXPECT_EQ(repo_.Operations(payment.id).back().idempotency_key, "void:" + order_);
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized, types::kPaymentVoided}));

  Deliver(Failed(order_, "payment timed out"));  // redelivered
  Deliver(Cancelled(order_, "changed my mind"));  // and cancelled after all: the first closure stands
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized, types::kPaymentVoided}));
  EXPECT_EQ(Closure(), (std::optional<std::pair<std::string, std::string>>{{"failed", "payment timed out"}}));
}

TEST_F(EventHandlersTest, AnAuthorizeAfterTheOrderEndedIsRefusedWithoutCallingTheProcessor) {
  Deliver(Failed(order_, "inventory unavailable"));
  EXPECT_EQ(Closure(), (std::optional<std::pair<std::string, std::string>>{{"failed", "inventory unavailable"}}));
  EXPECT_THROW(Authorized(), FailedPrecondition);
  EXPECT_EQ(processor_.authorizations.load(), 0);
  EXPECT_TRUE(payments_.ListPayments(order_).empty());
  EXPECT_TRUE(Events().empty());
}

// The race: payments is slowed past checkout's deadline (a session holds a lock on the
// payments table, so Authorize's first transaction stalls holding the order's lock), checkout
// fails the order, and OrderFailed arrives while the Authorize still runs. The handler waits for
// the order's lock; once the Authorize has recorded its intent it gets the lock, records the
// closure and finds the payment PENDING (the issuer is being asked). The Authorize's outcome
// transaction, which takes the order's lock again, then finds the closure and voids the hold at
// once: the payment ends VOIDED, and was never announced AUTHORIZED without its void.
TEST_F(EventHandlersTest, AnAuthorizeThatOutlivesCheckoutsDeadlineIsVoidedWhenTheOrderFails) {
  pqxx::connection blocker(SharedPostgres().Dsn("payments"));
  pqxx::work table_lock(blocker);
  table_lock.exec("LOCK TABLE payments");

  std::optional<Payment> authorized;
  std::string authorize_error, handler_error;
  std::thread authorize([&] {
    try {
      authorized = Authorized();
    } catch (const std::exception& error) {
      authorize_error = error.what();
    }
  });
  const bool authorize_blocked = AwaitLockWaiters(1);  // on the table, holding the order's lock
  std::thread order_failed([&] {
    try {
      Deliver(Failed(order_, "payment timed out"));
    } catch (const std::exception& error) {
      handler_error = error.what();
    }
  });
  const bool handler_blocked = AwaitLockWaiters(2);  // and the handler on the order's lock
  table_lock.commit();
  authorize.join();
  order_failed.join();

  EXPECT_TRUE(authorize_blocked && handler_blocked) << "the Authorize and the handler never overlapped";
  ASSERT_TRUE(authorize_error.empty()) << authorize_error;
  ASSERT_TRUE(handler_error.empty()) << handler_error;
  EXPECT_EQ(authorized->status, PaymentStatus::kVoided) << "its approval was recorded after the order's closure";
  EXPECT_EQ(payments_.GetPayment(authorized->id).status, PaymentStatus::kVoided) << "never left AUTHORIZED";
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized, types::kPaymentVoided}));
  EXPECT_EQ(repo_.Operations(authorized->id).back().idempotency_key, "void:" + order_);
  EXPECT_EQ(ProcessorActions(authorized->id), (std::vector<std::string>{"authorize succeeded", "void succeeded"}));
}

}  // namespace
}  // namespace storefront::payments::testing
