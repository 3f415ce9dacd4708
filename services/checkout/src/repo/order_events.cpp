#include "repo/order_events.h"

#include <stdexcept>

#include "common_proto.h"
#include "shared/events/outbox.h"
#include "shared/events/topics.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"

namespace storefront::checkout::repo {
namespace {

namespace ev = storefront::events::v1;
using domain::Order;

template <typename Event>
void OrderBasics(const Order& o, Event* e) {
  e->set_order_id(o.id);
  e->set_customer_id(o.customer_id);
  e->set_customer_email(o.customer_email);
}

template <typename Event>
void OrderContents(const Order& o, Event* e) {
  for (const auto& item : o.items) {
    auto* line = e->add_lines();
    line->set_product_id(item.product_id);
    line->set_sku(item.sku);
    line->set_name(item.name);
    line->set_quantity(item.quantity);
    ToProto(item.unit_price, line->mutable_unit_price());
    ToProto(item.line_total, line->mutable_line_total());
  }
  ToProto(o.subtotal, e->mutable_subtotal());
  ToProto(o.shipping_price, e->mutable_shipping_price());
  ToProto(o.total, e->mutable_total());
  ToProto(o.shipping_address, e->mutable_shipping_address());
  e->set_shipping_option_id(o.shipping_option_id);
}

void Publish(pqxx::transaction_base& txn, const Order& order, std::string_view type,
             const google::protobuf::Message& payload) {
  events::Append(txn, "checkout", "checkout",
                 {std::string(events::kOrderTopic), std::string(type), "order", order.id, &payload, ""});
}

// The order an event names, or an exception (poison after retries) when it names none.
std::string OrderIdOf(const std::string& order_id) {
  if (order_id.size() != 36) throw std::invalid_argument("event without a valid order_id");
  return order_id;
}

// Moves `order_id` to `to` when it is in one of `from`, with a timeline entry.
void Advance(pqxx::work& txn, const std::string& order_id, const char* to, const std::string& from_list,
             const std::string& note, const std::string& shipment_status) {
  txn.exec_params("UPDATE orders SET shipment_status = $2, updated_at = now() WHERE id = $1::uuid", order_id,
                  shipment_status);
  // Only an order still in one of `from` moves, so a redelivered or late event changes nothing.
  auto moved = txn.exec_params("UPDATE orders SET status = $3 WHERE id = $1::uuid AND status = ANY($2::text[]) RETURNING id",
                               order_id, from_list, to);
  if (moved.empty()) return;
  txn.exec_params(
      "INSERT INTO order_timeline (order_id, position, status, note, at)"
      " SELECT $1::uuid, coalesce(max(position) + 1, 0), $2, $3, now() FROM order_timeline WHERE order_id = $1::uuid",
      order_id, to, note);
}

void SetPaymentStatus(pqxx::work& txn, const std::string& order_id, const std::string& status) {
  txn.exec_params("UPDATE orders SET payment_status = $2, updated_at = now() WHERE id = $1::uuid", order_id, status);
}

}  // namespace

void AppendOrderEvents(pqxx::transaction_base& txn, const Order& order) {
  for (auto event : order.pending_events) {
    switch (event) {
      case domain::OrderEvent::kPlaced: {
        ev::OrderPlaced payload;
        OrderBasics(order, &payload);
        OrderContents(order, &payload);
        Publish(txn, order, events::types::kOrderPlaced, payload);
        break;
      }
      case domain::OrderEvent::kConfirmed: {
        ev::OrderConfirmed payload;
        OrderBasics(order, &payload);
        OrderContents(order, &payload);
        payload.set_payment_id(order.payment_id);
        payload.set_card_brand(order.card_brand);
        payload.set_card_last4(order.card_last4);
        Publish(txn, order, events::types::kOrderConfirmed, payload);
        break;
      }
      case domain::OrderEvent::kFailed: {
        ev::OrderFailed payload;
        OrderBasics(order, &payload);
        ToProto(order.total, payload.mutable_total());
        for (const auto& step : order.steps) {
          if (step.state == domain::StepState::kFailed) payload.set_failed_step(step.name);
        }
        payload.set_reason(order.failure_reason);
        Publish(txn, order, events::types::kOrderFailed, payload);
        break;
      }
      case domain::OrderEvent::kCancelled: {
        ev::OrderCancelled payload;
        OrderBasics(order, &payload);
        ToProto(order.total, payload.mutable_total());
        payload.set_reason(order.timeline.empty() ? "" : order.timeline.back().note);
        Publish(txn, order, events::types::kOrderCancelled, payload);
        break;
      }
    }
  }
}

void ApplyShipmentDispatched(pqxx::work& txn, const events::Envelope& event) {
  auto e = events::PayloadOf<ev::ShipmentDispatched>(event);
  Advance(txn, OrderIdOf(e.order_id()), "SHIPPED", "{CONFIRMED}",
          "Shipped with " + e.carrier() + ", tracking " + e.tracking_number(), "DISPATCHED");
}

void ApplyShipmentDelivered(pqxx::work& txn, const events::Envelope& event) {
  auto e = events::PayloadOf<ev::ShipmentDelivered>(event);
  Advance(txn, OrderIdOf(e.order_id()), "DELIVERED", "{CONFIRMED,SHIPPED}", "Delivered", "DELIVERED");
}

void ApplyShipmentCancelled(pqxx::work& txn, const events::Envelope& event) {
  auto e = events::PayloadOf<ev::ShipmentCancelled>(event);
  txn.exec_params("UPDATE orders SET shipment_status = 'CANCELLED', updated_at = now() WHERE id = $1::uuid",
                  OrderIdOf(e.order_id()));
}

void ApplyPaymentCaptured(pqxx::work& txn, const events::Envelope& event) {
  auto e = events::PayloadOf<ev::PaymentCaptured>(event);
  SetPaymentStatus(txn, OrderIdOf(e.order_id()), "CAPTURED");
}

void ApplyPaymentVoided(pqxx::work& txn, const events::Envelope& event) {
  auto e = events::PayloadOf<ev::PaymentVoided>(event);
  SetPaymentStatus(txn, OrderIdOf(e.order_id()), "VOIDED");
}

void ApplyPaymentRefunded(pqxx::work& txn, const events::Envelope& event) {
  auto e = events::PayloadOf<ev::PaymentRefunded>(event);
  SetPaymentStatus(txn, OrderIdOf(e.order_id()), e.fully_refunded() ? "REFUNDED" : "PARTIALLY_REFUNDED");
}

void RegisterReadModelHandlers(events::Consumer& consumer) {
  consumer.On(std::string(events::types::kShipmentDispatched), ApplyShipmentDispatched);
  consumer.On(std::string(events::types::kShipmentDelivered), ApplyShipmentDelivered);
  consumer.On(std::string(events::types::kShipmentCancelled), ApplyShipmentCancelled);
  consumer.On(std::string(events::types::kPaymentCaptured), ApplyPaymentCaptured);
  consumer.On(std::string(events::types::kPaymentVoided), ApplyPaymentVoided);
  consumer.On(std::string(events::types::kPaymentRefunded), ApplyPaymentRefunded);
}

}  // namespace storefront::checkout::repo
