#include "api/order_mapping.h"

#include <stdexcept>

#include "shared/events/topics.h"
#include "shared/trace/context.h"
#include "shared/types/proto.h"
#include "storefront/events/v1/checkout_events.pb.h"

namespace storefront::checkout::api {
namespace {

namespace ev = ::storefront::events::v1;
namespace paymentspb = ::storefront::payments::v1;
namespace shippingpb = ::storefront::shipping::v1;
using types::ToProto;

// pb::OrderItem and ev::OrderLine have the same fields.
template <typename Line>
void LineToProto(const domain::OrderItem& item, Line* line) {
  line->set_product_id(item.product_id);
  line->set_sku(item.sku);
  line->set_name(item.name);
  line->set_quantity(item.quantity);
  ToProto(item.unit_price, line->mutable_unit_price());
  ToProto(item.line_total, line->mutable_line_total());
}

// Who ordered, and (when `Message` carries them) totals and where it goes: the fields pb::Order,
// OrderPlaced and OrderConfirmed share.
template <typename Message>
void CustomerToProto(const domain::Order& o, Message* out) {
  out->set_customer_id(o.customer_id);
  out->set_customer_email(o.customer_email);
}

template <typename Message>
void ContentsToProto(const domain::Order& o, Message* out) {
  ToProto(o.subtotal, out->mutable_subtotal());
  ToProto(o.shipping_price, out->mutable_shipping_price());
  ToProto(o.total, out->mutable_total());
  ToProto(o.shipping_address, out->mutable_shipping_address());
  out->set_shipping_option_id(o.shipping_option_id);
}

paymentspb::CardBrand CardBrandOf(const std::string& name) {
  paymentspb::CardBrand brand = paymentspb::CARD_BRAND_UNSPECIFIED;
  // The brand is stored as payments named it ("VISA"); a name this build lacks stays UNSPECIFIED.
  paymentspb::CardBrand_Parse("CARD_BRAND_" + name, &brand);
  return brand;
}

template <typename Event>
std::unique_ptr<Event> EventOf(const domain::Order& order) {
  auto event = std::make_unique<Event>();
  event->set_order_id(order.id);
  CustomerToProto(order, event.get());
  return event;
}

}  // namespace

pb::OrderStatus ToProto(domain::OrderStatus status) {
  using S = domain::OrderStatus;
  switch (status) {
    case S::kPending: return pb::ORDER_STATUS_PENDING;
    case S::kReserved: return pb::ORDER_STATUS_RESERVED;
    case S::kPaymentAuthorized: return pb::ORDER_STATUS_PAYMENT_AUTHORIZED;
    case S::kConfirmed: return pb::ORDER_STATUS_CONFIRMED;
    case S::kShipped: return pb::ORDER_STATUS_SHIPPED;
    case S::kDelivered: return pb::ORDER_STATUS_DELIVERED;
    case S::kFailed: return pb::ORDER_STATUS_FAILED;
    case S::kCancelled: return pb::ORDER_STATUS_CANCELLED;
    case S::kRefunded: return pb::ORDER_STATUS_REFUNDED;
    case S::kCancelling: return pb::ORDER_STATUS_CANCELLING;
  }
  return pb::ORDER_STATUS_UNSPECIFIED;
}

pb::OrderFailure ToProto(domain::Failure failure) {
  using F = domain::Failure;
  switch (failure) {
    case F::kNone: return pb::ORDER_FAILURE_UNSPECIFIED;
    case F::kOutOfStock: return pb::ORDER_FAILURE_OUT_OF_STOCK;
    case F::kPaymentDeclined: return pb::ORDER_FAILURE_PAYMENT_DECLINED;
    case F::kDependencyUnavailable: return pb::ORDER_FAILURE_DEPENDENCY_UNAVAILABLE;
    case F::kShippingFailed: return pb::ORDER_FAILURE_SHIPPING_FAILED;
    case F::kInterrupted: return pb::ORDER_FAILURE_INTERRUPTED;
  }
  return pb::ORDER_FAILURE_UNSPECIFIED;
}

pb::SagaStepState ToProto(domain::StepState state) {
  using S = domain::StepState;
  switch (state) {
    case S::kPending: return pb::SAGA_STEP_STATE_PENDING;
    case S::kSucceeded: return pb::SAGA_STEP_STATE_SUCCEEDED;
    case S::kFailed: return pb::SAGA_STEP_STATE_FAILED;
    case S::kCompensated: return pb::SAGA_STEP_STATE_COMPENSATED;
  }
  return pb::SAGA_STEP_STATE_UNSPECIFIED;
}

paymentspb::PaymentStatus ToProto(domain::PaymentStatus status) {
  using S = domain::PaymentStatus;
  switch (status) {
    case S::kNone: return paymentspb::PAYMENT_STATUS_UNSPECIFIED;
    case S::kAuthorized: return paymentspb::PAYMENT_STATUS_AUTHORIZED;
    case S::kCaptured: return paymentspb::PAYMENT_STATUS_CAPTURED;
    case S::kVoided: return paymentspb::PAYMENT_STATUS_VOIDED;
    case S::kRefunded: return paymentspb::PAYMENT_STATUS_REFUNDED;
    case S::kPartiallyRefunded: return paymentspb::PAYMENT_STATUS_PARTIALLY_REFUNDED;
    case S::kDeclined: return paymentspb::PAYMENT_STATUS_DECLINED;
    case S::kFailed: return paymentspb::PAYMENT_STATUS_FAILED;
  }
  return paymentspb::PAYMENT_STATUS_UNSPECIFIED;
}

shippingpb::ShipmentStatus ToProto(domain::ShipmentStatus status) {
  using S = domain::ShipmentStatus;
  switch (status) {
    case S::kNone: return shippingpb::SHIPMENT_STATUS_UNSPECIFIED;
    case S::kLabelCreated: return shippingpb::SHIPMENT_STATUS_LABEL_CREATED;
    case S::kDispatched: return shippingpb::SHIPMENT_STATUS_DISPATCHED;
    case S::kDelivered: return shippingpb::SHIPMENT_STATUS_DELIVERED;
    case S::kCancelled: return shippingpb::SHIPMENT_STATUS_CANCELLED;
  }
  return shippingpb::SHIPMENT_STATUS_UNSPECIFIED;
}

pb::SalesGranularity ToProto(domain::Granularity granularity) {
  switch (granularity) {
    case domain::Granularity::kHour: return pb::SALES_GRANULARITY_HOUR;
    case domain::Granularity::kDay: return pb::SALES_GRANULARITY_DAY;
  }
  return pb::SALES_GRANULARITY_UNSPECIFIED;
}

std::optional<domain::OrderStatus> FromProto(pb::OrderStatus status) {
  using S = domain::OrderStatus;
  switch (status) {
    case pb::ORDER_STATUS_PENDING: return S::kPending;
    case pb::ORDER_STATUS_RESERVED: return S::kReserved;
    case pb::ORDER_STATUS_PAYMENT_AUTHORIZED: return S::kPaymentAuthorized;
    case pb::ORDER_STATUS_CONFIRMED: return S::kConfirmed;
    case pb::ORDER_STATUS_SHIPPED: return S::kShipped;
    case pb::ORDER_STATUS_DELIVERED: return S::kDelivered;
    case pb::ORDER_STATUS_FAILED: return S::kFailed;
    case pb::ORDER_STATUS_CANCELLED: return S::kCancelled;
    case pb::ORDER_STATUS_REFUNDED: return S::kRefunded;
    case pb::ORDER_STATUS_CANCELLING: return S::kCancelling;
    default: return std::nullopt;
  }
}

std::optional<domain::Granularity> FromProto(pb::SalesGranularity granularity) {
  switch (granularity) {
    case pb::SALES_GRANULARITY_HOUR: return domain::Granularity::kHour;
    case pb::SALES_GRANULARITY_DAY: return domain::Granularity::kDay;
    default: return std::nullopt;
  }
}

void ToProto(const domain::Order& o, pb::Order* out) {
  out->set_id(o.id);
  CustomerToProto(o, out);
  out->set_status(ToProto(o.status));
  out->set_failure(ToProto(o.failure));
  out->set_failure_reason(o.failure_reason);
  for (const auto& item : o.items) LineToProto(item, out->add_items());
  ContentsToProto(o, out);
  if (!o.payment_id.empty()) {
    auto* payment = out->mutable_payment();
    payment->set_payment_id(o.payment_id);
    payment->set_status(ToProto(o.payment_status));
    payment->set_card_brand(CardBrandOf(o.card_brand));
    payment->set_card_last4(o.card_last4);
  }
  if (!o.shipment_id.empty()) {
    auto* shipment = out->mutable_shipment();
    shipment->set_shipment_id(o.shipment_id);
    shipment->set_carrier(o.carrier);
    shipment->set_tracking_number(o.tracking_number);
    shipment->set_status(ToProto(o.shipment_status));
  }
  for (const auto& entry : o.timeline) {
    auto* t = out->add_timeline();
    t->set_status(ToProto(entry.status));
    t->set_note(entry.note);
    *t->mutable_at() = ToProto(entry.at);
  }
  for (const auto& step : o.steps) {
    auto* s = out->add_saga_steps();
    s->set_name(step.name);
    s->set_state(ToProto(step.state));
    s->set_detail(step.detail);
    *s->mutable_at() = ToProto(step.at);
  }
  *out->mutable_created_at() = ToProto(o.created_at);
  *out->mutable_updated_at() = ToProto(o.updated_at);
  if (auto traced = trace::ParseTraceparent(o.traceparent)) {
    out->set_trace_id(traced->TraceIdHex());
    out->set_trace_recorded(traced->sampled);
  }
}

OrderEventMessage ToProto(const domain::Order& order, domain::OrderEvent event) {
  switch (event) {
    case domain::OrderEvent::kPlaced: {
      auto payload = EventOf<ev::OrderPlaced>(order);
      for (const auto& item : order.items) LineToProto(item, payload->add_lines());
      ContentsToProto(order, payload.get());
      return {events::types::kOrderPlaced, std::move(payload)};
    }
    case domain::OrderEvent::kConfirmed: {
      auto payload = EventOf<ev::OrderConfirmed>(order);
      for (const auto& item : order.items) LineToProto(item, payload->add_lines());
      ContentsToProto(order, payload.get());
      payload->set_payment_id(order.payment_id);
      payload->set_card_brand(order.card_brand);
      payload->set_card_last4(order.card_last4);
      if (order.cart_version) *payload->mutable_cart_version() = types::ToProto(*order.cart_version);
      return {events::types::kOrderConfirmed, std::move(payload)};
    }
    case domain::OrderEvent::kFailed: {
      auto payload = EventOf<ev::OrderFailed>(order);
      ToProto(order.total, payload->mutable_total());
      for (const auto& step : order.steps) {
        if (step.state == domain::StepState::kFailed) payload->set_failed_step(step.name);
      }
      payload->set_reason(order.failure_reason);
      return {events::types::kOrderFailed, std::move(payload)};
    }
    case domain::OrderEvent::kCancelled: {
      auto payload = EventOf<ev::OrderCancelled>(order);
      ToProto(order.total, payload->mutable_total());
      payload->set_reason(order.timeline.empty() ? "" : order.timeline.back().note);
      return {events::types::kOrderCancelled, std::move(payload)};
    }
  }
  throw std::logic_error("unknown order event");
}

}  // namespace storefront::checkout::api
