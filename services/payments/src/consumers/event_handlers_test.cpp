// Payments' event handlers against a real PostgreSQL, called directly with a transaction as the
// consumer would call them (no broker needed): a dispatched shipment captures the order's
// payment, a cancelled order voids or refunds it, each change writes its event in the consumer's
// transaction, redeliveries change nothing, and bad payloads throw (to be retried, then
// dead-lettered) while an order with nothing to do is only logged.
#include "consumers/event_handlers.h"

#include <gtest/gtest.h>

#include <atomic>

#include "app.h"
#include "processor/simulated_processor.h"
#include "repo/pg_payment_repository.h"
#include "shared/events/topics.h"
#include "shared/testing/postgres.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"
#include "shared/testing/outbox_rows.h"

namespace storefront::payments::consumers {
namespace {

using domain::Payment;
using domain::PaymentStatus;
using storefront::testing::SharedPostgres;
using testing::EventTypes;
using testing::OutboxRows;
namespace ev = storefront::events::v1;
namespace types = storefront::events::types;

std::vector<std::string> Types(std::initializer_list<std::string_view> types) { return {types.begin(), types.end()}; }

storefront::events::Envelope EnvelopeOf(std::string_view type, const google::protobuf::Message& payload) {
  storefront::events::Envelope envelope;
  envelope.set_event_id(domain::RandomUuid());
  envelope.set_event_type(std::string(type));
  envelope.set_payload(payload.SerializeAsString());
  envelope.set_payload_type(payload.GetDescriptor()->full_name());
  return envelope;
}

storefront::events::Envelope Dispatched(const std::string& order_id) {
  ev::ShipmentDispatched payload;
  payload.set_shipment_id(domain::RandomUuid());
  payload.set_order_id(order_id);
  payload.set_customer_id("customer-1");
  payload.set_carrier("UPS");
  payload.set_tracking_number("UPS123456789012");
  return EnvelopeOf(types::kShipmentDispatched, payload);
}

storefront::events::Envelope Cancelled(const std::string& order_id, const std::string& reason = "") {
  ev::OrderCancelled payload;
  payload.set_order_id(order_id);
  payload.set_customer_id("customer-1");
  payload.set_reason(reason);
  return EnvelopeOf(types::kOrderCancelled, payload);
}

// The simulated processor, counting captures so a redelivery can be shown to charge nothing.
class CountingProcessor final : public domain::CardProcessor {
 public:
  domain::AuthorizationResult Authorize(const std::string& payment_id, const domain::Card& card,
                                        const domain::Money& amount) override {
    return inner_.Authorize(payment_id, card, amount);
  }
  void Capture(const std::string& reference, const domain::Money& amount) override {
    ++captures;
    inner_.Capture(reference, amount);
  }
  void Void(const std::string& reference) override { inner_.Void(reference); }
  void Refund(const std::string& reference, const domain::Money& amount) override {
    ++refunds;
    inner_.Refund(reference, amount);
  }
  std::atomic<int> captures{0};
  std::atomic<int> refunds{0};

 private:
  processor::SimulatedProcessor inner_;
};

class EventHandlersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pqxx::connection connection(SharedPostgres().Dsn("payments"));
    db::Migrate(connection, "payments", AllMigrations());
  }

  // Calls a handler the way the consumer does: in a transaction of the service's pool, committed
  // when the handler returns, rolled back when it throws.
  template <typename Handler>
  void Deliver(Handler handler, const storefront::events::Envelope& event) {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    (handlers_.*handler)(txn, event);
    txn.commit();
  }

  Payment Authorized(const char* number = "4242 4242 4242 4242") {
    return payments_.Authorize({order_ + ":authorize:" + number, order_, "customer-1", domain::Money{12999, "USD"},
                                domain::Card{number, 12, 2099, "123"}});
  }

  std::vector<std::string> Events() { return EventTypes(OutboxRows(SharedPostgres().Dsn("payments"), "payments", order_)); }

  const std::string order_ = domain::RandomUuid();
  db::Pool pool_{SharedPostgres().Dsn("payments"), 4, std::chrono::seconds(5), repo::PgPaymentRepository::Prepare};
  repo::PgPaymentRepository repo_{pool_};
  CountingProcessor processor_;
  domain::Payments payments_{repo_, processor_};
  EventHandlers handlers_{processor_};
};

TEST_F(EventHandlersTest, ADispatchedShipmentCapturesTheAuthorizedPaymentInFullOnce) {
  Payment payment = Authorized();
  Deliver(&EventHandlers::OnShipmentDispatched, Dispatched(order_));
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
  Deliver(&EventHandlers::OnShipmentDispatched, Dispatched(order_));
  EXPECT_EQ(processor_.captures.load(), 1);
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized, types::kPaymentCaptured}));
}

TEST_F(EventHandlersTest, ADispatchedShipmentWithoutAnAuthorizedPaymentIsAWarningNotAnError) {
  EXPECT_NO_THROW(Deliver(&EventHandlers::OnShipmentDispatched, Dispatched(order_)));
  payments_.Authorize({order_ + ":declined", order_, "customer-1", domain::Money{100, "USD"},
                       domain::Card{"4000 0000 0000 0002", 12, 2099, "123"}});
  EXPECT_NO_THROW(Deliver(&EventHandlers::OnShipmentDispatched, Dispatched(order_)));
  EXPECT_EQ(processor_.captures.load(), 0);
  EXPECT_EQ(Events(), Types({types::kPaymentFailed}));
}

TEST_F(EventHandlersTest, ACancelledOrdersAuthorizationIsVoided) {
  Payment payment = Authorized();
  Deliver(&EventHandlers::OnOrderCancelled, Cancelled(order_, "changed my mind"));
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kVoided);
  EXPECT_EQ(repo_.Operations(payment.id).back().idempotency_key, "void:" + order_);
  auto rows = OutboxRows(SharedPostgres().Dsn("payments"), "payments", order_);
  ASSERT_EQ(EventTypes(rows), Types({types::kPaymentAuthorized, types::kPaymentVoided}));
  EXPECT_EQ(rows[1].PayloadAs<ev::PaymentVoided>().amount().amount_minor(), 12999);

  Deliver(&EventHandlers::OnOrderCancelled, Cancelled(order_, "changed my mind"));  // redelivered
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized, types::kPaymentVoided}));
}

TEST_F(EventHandlersTest, ACancelledOrdersCapturedPaymentIsRefundedInFull) {
  Payment payment = Authorized();
  Deliver(&EventHandlers::OnShipmentDispatched, Dispatched(order_));
  Deliver(&EventHandlers::OnOrderCancelled, Cancelled(order_, "returned by the carrier"));
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

  Deliver(&EventHandlers::OnOrderCancelled, Cancelled(order_));
  EXPECT_EQ(processor_.refunds.load(), 1) << "refunded once";
}

TEST_F(EventHandlersTest, ACancelledOrderWithNothingToReleaseChangesNothing) {
  EXPECT_NO_THROW(Deliver(&EventHandlers::OnOrderCancelled, Cancelled(order_)));
  EXPECT_TRUE(Events().empty());
}

TEST_F(EventHandlersTest, AnUnreadablePayloadOrOrderIdThrowsSoTheConsumerCanDeadLetterIt) {
  Authorized();
  auto garbage = Dispatched(order_);
  garbage.set_payload("\xff\xff\xff not a protobuf");
  EXPECT_ANY_THROW(Deliver(&EventHandlers::OnShipmentDispatched, garbage));
  EXPECT_THROW(Deliver(&EventHandlers::OnShipmentDispatched, Dispatched("")), std::invalid_argument);
  EXPECT_THROW(Deliver(&EventHandlers::OnOrderCancelled, Cancelled("not-an-order")), std::invalid_argument);
  EXPECT_EQ(processor_.captures.load(), 0);
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized}));
}

TEST_F(EventHandlersTest, TheChangeAndItsEventAreInTheConsumersTransaction) {
  Payment payment = Authorized();
  {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    handlers_.OnShipmentDispatched(txn, Dispatched(order_));
    EXPECT_EQ(EventTypes(OutboxRows(txn, "payments", order_)), Types({types::kPaymentAuthorized, types::kPaymentCaptured}));
    txn.abort();  // as when the inbox insert or the commit fails
  }
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kAuthorized);
  EXPECT_EQ(Events(), Types({types::kPaymentAuthorized}));
  // The capture key was rolled back with it, so the redelivery captures for real.
  Deliver(&EventHandlers::OnShipmentDispatched, Dispatched(order_));
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kCaptured);
}

}  // namespace
}  // namespace storefront::payments::consumers
