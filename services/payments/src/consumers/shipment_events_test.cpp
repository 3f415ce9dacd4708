// Payments' reaction to ShipmentDispatched against a real PostgreSQL, the handler called directly
// with a transaction as the consumer would call it (no broker needed), then a sweep as the App
// runs it: a dispatched shipment has the order's payment captured once (decided in the
// consumer's transaction, carried out by the sweeper after its commit); an order without an
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

// The handler decides inside the consumer's transaction (the key claim and the capture's intent
// commit with the inbox row, or not at all) and never calls the processor from it: the capture,
// its ledger row and its event come after the commit, from the sweeper.
TEST_F(EventHandlersTest, TheDecisionIsInTheConsumersTransactionAndTheCaptureFollowsItsCommit) {
  Payment payment = Authorized();
  {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    shipment_events_.OnShipmentDispatched(txn, Dispatched(order_));
    EXPECT_EQ(processor_.captures.load(), 0) << "no processor call inside the consumer's transaction";
    EXPECT_EQ(txn.exec_params("SELECT count(*) FROM processor_intents WHERE payment_id = $1::uuid AND"
                              " operation = 'capture' AND state = 'pending'",
                              payment.id)[0][0]
                  .as<int>(),
              1)
        << "the capture is recorded in the consumer's transaction";
    txn.abort();  // as when the inbox insert or the commit fails
  }
  payments_.ResolveDueIntents();
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kAuthorized) << "nothing was decided";
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized}));
  EXPECT_EQ(processor_.captures.load(), 0);
  // The capture key was rolled back with it, so the redelivery captures for real.
  Handle(Dispatched(order_));
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kAuthorized);
  payments_.ResolveDueIntents();
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kCaptured);
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized, types::kPaymentCaptured}));
  EXPECT_EQ(ProcessorActions(payment.id), (std::vector<std::string>{"authorize succeeded", "capture succeeded"}));
}

}  // namespace
}  // namespace storefront::payments::testing
