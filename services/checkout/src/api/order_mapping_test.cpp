// Every domain enum value maps to the proto value of the same meaning (and back, where the API
// takes one), and an order's fields land in the Order message and the event payloads.
#include "api/order_mapping.h"

#include <gtest/gtest.h>

#include <iterator>
#include <utility>

#include "shared/events/topics.h"
#include "shared/types/proto.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "testing/sample_order.h"

namespace storefront::checkout::api {
namespace {

namespace paymentspb = ::storefront::payments::v1;
namespace shippingpb = ::storefront::shipping::v1;
namespace ev = ::storefront::events::v1;

// Each table lists every domain value; its size is checked against the proto enum's, so a value
// added on either side fails here until it is mapped.

TEST(OrderMappingTest, EveryOrderStatusMapsToItsProtoValueAndBack) {
  using S = domain::OrderStatus;
  const std::pair<S, pb::OrderStatus> expected[] = {
      {S::kPending, pb::ORDER_STATUS_PENDING},
      {S::kReserved, pb::ORDER_STATUS_RESERVED},
      {S::kPaymentAuthorized, pb::ORDER_STATUS_PAYMENT_AUTHORIZED},
      {S::kConfirmed, pb::ORDER_STATUS_CONFIRMED},
      {S::kShipped, pb::ORDER_STATUS_SHIPPED},
      {S::kDelivered, pb::ORDER_STATUS_DELIVERED},
      {S::kFailed, pb::ORDER_STATUS_FAILED},
      {S::kCancelled, pb::ORDER_STATUS_CANCELLED},
      {S::kRefunded, pb::ORDER_STATUS_REFUNDED},
      {S::kCancelling, pb::ORDER_STATUS_CANCELLING},
  };
  // Every proto value but UNSPECIFIED has its domain value.
  EXPECT_EQ(static_cast<int>(std::size(expected)) + 1, pb::OrderStatus_descriptor()->value_count());
  for (const auto& [domain_status, proto] : expected) {
    EXPECT_EQ(ToProto(domain_status), proto) << domain::ToString(domain_status);
    EXPECT_EQ(FromProto(proto), domain_status) << pb::OrderStatus_Name(proto);
  }
  EXPECT_EQ(FromProto(pb::ORDER_STATUS_UNSPECIFIED), std::nullopt);
  EXPECT_EQ(FromProto(static_cast<pb::OrderStatus>(99)), std::nullopt);
}

TEST(OrderMappingTest, EveryFailureMapsToItsProtoValue) {
  using F = domain::Failure;
  const std::pair<F, pb::OrderFailure> expected[] = {
      {F::kNone, pb::ORDER_FAILURE_UNSPECIFIED},
      {F::kOutOfStock, pb::ORDER_FAILURE_OUT_OF_STOCK},
      {F::kPaymentDeclined, pb::ORDER_FAILURE_PAYMENT_DECLINED},
      {F::kDependencyUnavailable, pb::ORDER_FAILURE_DEPENDENCY_UNAVAILABLE},
      {F::kShippingFailed, pb::ORDER_FAILURE_SHIPPING_FAILED},
      {F::kInterrupted, pb::ORDER_FAILURE_INTERRUPTED},
  };
  EXPECT_EQ(static_cast<int>(std::size(expected)), pb::OrderFailure_descriptor()->value_count());
  for (const auto& [failure, proto] : expected) EXPECT_EQ(ToProto(failure), proto) << domain::ToString(failure);
}

TEST(OrderMappingTest, EveryStepStateMapsToItsProtoValue) {
  using S = domain::StepState;
  const std::pair<S, pb::SagaStepState> expected[] = {
      {S::kPending, pb::SAGA_STEP_STATE_PENDING},
      {S::kSucceeded, pb::SAGA_STEP_STATE_SUCCEEDED},
      {S::kFailed, pb::SAGA_STEP_STATE_FAILED},
      {S::kCompensated, pb::SAGA_STEP_STATE_COMPENSATED},
  };
  EXPECT_EQ(static_cast<int>(std::size(expected)) + 1, pb::SagaStepState_descriptor()->value_count());
  for (const auto& [state, proto] : expected) EXPECT_EQ(ToProto(state), proto) << domain::ToString(state);
}

TEST(OrderMappingTest, EveryPaymentAndShipmentStatusMapsToTheirServicesValue) {
  using P = domain::PaymentStatus;
  const std::pair<P, paymentspb::PaymentStatus> payments[] = {
      {P::kNone, paymentspb::PAYMENT_STATUS_UNSPECIFIED},
      {P::kAuthorized, paymentspb::PAYMENT_STATUS_AUTHORIZED},
      {P::kCaptured, paymentspb::PAYMENT_STATUS_CAPTURED},
      {P::kVoided, paymentspb::PAYMENT_STATUS_VOIDED},
      {P::kRefunded, paymentspb::PAYMENT_STATUS_REFUNDED},
      {P::kPartiallyRefunded, paymentspb::PAYMENT_STATUS_PARTIALLY_REFUNDED},
      {P::kDeclined, paymentspb::PAYMENT_STATUS_DECLINED},
      {P::kFailed, paymentspb::PAYMENT_STATUS_FAILED},
  };
  EXPECT_EQ(static_cast<int>(std::size(payments)), paymentspb::PaymentStatus_descriptor()->value_count());
  for (const auto& [status, proto] : payments) EXPECT_EQ(ToProto(status), proto) << domain::ToString(status);

  using S = domain::ShipmentStatus;
  const std::pair<S, shippingpb::ShipmentStatus> shipments[] = {
      {S::kNone, shippingpb::SHIPMENT_STATUS_UNSPECIFIED},
      {S::kLabelCreated, shippingpb::SHIPMENT_STATUS_LABEL_CREATED},
      {S::kDispatched, shippingpb::SHIPMENT_STATUS_DISPATCHED},
      {S::kDelivered, shippingpb::SHIPMENT_STATUS_DELIVERED},
      {S::kCancelled, shippingpb::SHIPMENT_STATUS_CANCELLED},
  };
  EXPECT_EQ(static_cast<int>(std::size(shipments)), shippingpb::ShipmentStatus_descriptor()->value_count());
  for (const auto& [status, proto] : shipments) EXPECT_EQ(ToProto(status), proto) << domain::ToString(status);
}

TEST(OrderMappingTest, GranularityBothWays) {
  EXPECT_EQ(ToProto(domain::Granularity::kHour), pb::SALES_GRANULARITY_HOUR);
  EXPECT_EQ(ToProto(domain::Granularity::kDay), pb::SALES_GRANULARITY_DAY);
  EXPECT_EQ(FromProto(pb::SALES_GRANULARITY_HOUR), domain::Granularity::kHour);
  EXPECT_EQ(FromProto(pb::SALES_GRANULARITY_DAY), domain::Granularity::kDay);
  EXPECT_EQ(FromProto(pb::SALES_GRANULARITY_UNSPECIFIED), std::nullopt);
}

// A confirmed order with its payment authorized, not yet shipped.
domain::Order SampleOrder() {
  domain::Order o = testing::SampleOrder("key-1");
  o.id = "00000000-0000-4000-8000-000000000001";
  o.status = domain::OrderStatus::kConfirmed;
  o.payment_id = "pay-1";
  o.payment_status = domain::PaymentStatus::kAuthorized;
  o.card_brand = "VISA";
  o.created_at = o.updated_at = types::FromMicros(1'800'000'000'000'001);
  return o;
}

TEST(OrderMappingTest, TheOrderMessageAndThePlacedEventCarryTheSameLinesAndTotals) {
  const domain::Order order = SampleOrder();
  pb::Order message;
  ToProto(order, &message);
  auto placed = ToProto(order, domain::OrderEvent::kPlaced);
  EXPECT_EQ(placed.type, events::types::kOrderPlaced);
  const auto& event = dynamic_cast<const ev::OrderPlaced&>(*placed.payload);

  ASSERT_EQ(message.items_size(), 1);
  ASSERT_EQ(event.lines_size(), 1);
  EXPECT_EQ(message.items(0).SerializeAsString(), event.lines(0).SerializeAsString()) << "the same fields";
  EXPECT_EQ(message.items(0).sku(), "HOM-LP-1");
  EXPECT_EQ(message.items(0).line_total().amount_minor(), 5000);
  for (const auto* totals : {&message.total(), &event.total()}) EXPECT_EQ(totals->amount_minor(), 5599);
  EXPECT_EQ(event.shipping_address().city(), "London");
  EXPECT_EQ(event.customer_email(), "ada@example.com");
  EXPECT_EQ(message.payment().card_brand(), paymentspb::CARD_BRAND_VISA);
  EXPECT_EQ(message.payment().status(), paymentspb::PAYMENT_STATUS_AUTHORIZED);
  EXPECT_FALSE(message.has_shipment()) << "no shipment yet";
  EXPECT_EQ(message.created_at().seconds(), 1'800'000'000);
  EXPECT_EQ(message.created_at().nanos(), 1000);
}

// OrderConfirmed tells the cart which version of the cart was bought, so it keeps what the shopper
// changed after checkout read it; an order placed before versions were recorded says none.
TEST(OrderMappingTest, TheConfirmedEventCarriesTheCartVersionTheOrderWasPricedFrom) {
  domain::Order order = SampleOrder();
  order.cart_version = types::FromMicros(1'799'999'999'000'007);
  auto confirmed = ToProto(order, domain::OrderEvent::kConfirmed);
  ASSERT_EQ(confirmed.type, events::types::kOrderConfirmed);
  const auto& event = dynamic_cast<const ev::OrderConfirmed&>(*confirmed.payload);
  ASSERT_TRUE(event.has_cart_version());
  EXPECT_EQ(types::ToMicros(types::FromProto(event.cart_version()).value()), 1'799'999'999'000'007);

  order.cart_version.reset();
  auto unversioned = ToProto(order, domain::OrderEvent::kConfirmed);
  EXPECT_FALSE(dynamic_cast<const ev::OrderConfirmed&>(*unversioned.payload).has_cart_version());
}

TEST(OrderMappingTest, AFailedOrderAnnouncesTheStepThatFailedAndWhy) {
  domain::Order order = SampleOrder();
  order.steps = {{domain::kStepReserve, domain::StepState::kCompensated, "", {}},
                 {domain::kStepAuthorize, domain::StepState::kFailed, "declined", {}}};
  order.failure_reason = "the card was declined (card_declined)";
  auto failed = ToProto(order, domain::OrderEvent::kFailed);
  EXPECT_EQ(failed.type, events::types::kOrderFailed);
  const auto& event = dynamic_cast<const ev::OrderFailed&>(*failed.payload);
  EXPECT_EQ(event.order_id(), order.id);
  EXPECT_EQ(event.failed_step(), domain::kStepAuthorize);
  EXPECT_EQ(event.reason(), order.failure_reason);
  EXPECT_EQ(event.total().amount_minor(), 5599);
}

TEST(OrderMappingTest, TheOrderCarriesTheTraceIdOfTheRequestThatPlacedIt) {
  auto order = testing::SampleOrder("traced");
  order.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  pb::Order traced;
  ToProto(order, &traced);
  EXPECT_EQ(traced.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(traced.trace_recorded());
  order.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";  // not sampled
  pb::Order unrecorded;
  ToProto(order, &unrecorded);
  EXPECT_EQ(unrecorded.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736") << "still the key to the logs";
  EXPECT_FALSE(unrecorded.trace_recorded());
  order.traceparent = "";  // placed before traces were recorded
  pb::Order untraced;
  ToProto(order, &untraced);
  EXPECT_EQ(untraced.trace_id(), "");
}

}  // namespace
}  // namespace storefront::checkout::api
