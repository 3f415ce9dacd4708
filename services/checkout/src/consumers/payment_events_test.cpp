// How payments' payment events move checkout's read model, against a real PostgreSQL: each
// handler called inside a transaction, as the consumer calls it.
#include "consumers/payment_events.h"

#include <gtest/gtest.h>

#include "shared/events/topics.h"
#include "shared/testing/events.h"
#include "shared/testing/postgres.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "testing/fixture.h"

namespace storefront::checkout::consumers {
namespace {

using namespace std::chrono_literals;
using domain::Order;
using storefront::testing::EnvelopeOf;
using storefront::testing::SharedPostgres;
namespace ev = storefront::events::v1;

class PaymentEventHandlersTest : public testing::DatabaseTest {
 protected:
  // Runs one handler in its own transaction and commits, as the consumer does.
  void Apply(void (PaymentEventHandlers::*handler)(pqxx::work&, const events::Envelope&) const,
             const events::Envelope& event) {
    pqxx::connection connection(SharedPostgres().Dsn("checkout"));
    pqxx::work txn(connection);
    (handlers_.*handler)(txn, event);
    txn.commit();
  }

  PaymentEventHandlers handlers_;
};

TEST_F(PaymentEventHandlersTest, PaymentEventsUpdateThePaymentStatus) {
  Order order = Confirmed("events-pay");
  ev::PaymentCaptured captured;
  captured.set_order_id(order.id);
  Apply(&PaymentEventHandlers::OnPaymentCaptured, EnvelopeOf(events::types::kPaymentCaptured, captured));
  EXPECT_EQ(orders_.Get(order.id)->payment_status, domain::PaymentStatus::kCaptured);
  ev::PaymentRefunded refunded;
  refunded.set_order_id(order.id);
  refunded.set_fully_refunded(false);
  Apply(&PaymentEventHandlers::OnPaymentRefunded, EnvelopeOf(events::types::kPaymentRefunded, refunded));
  EXPECT_EQ(orders_.Get(order.id)->payment_status, domain::PaymentStatus::kPartiallyRefunded);
}

TEST_F(PaymentEventHandlersTest, AnEventWithoutAnOrderIsRefused) {
  ev::PaymentCaptured nameless;
  pqxx::connection connection(SharedPostgres().Dsn("checkout"));
  pqxx::work txn(connection);
  EXPECT_THROW(handlers_.OnPaymentCaptured(txn, EnvelopeOf(events::types::kPaymentCaptured, nameless)),
               std::invalid_argument);
  events::Envelope garbage;
  garbage.set_payload("\xff\xff not a message");
  EXPECT_THROW(handlers_.OnPaymentCaptured(txn, garbage), std::runtime_error);
}

}  // namespace
}  // namespace storefront::checkout::consumers
