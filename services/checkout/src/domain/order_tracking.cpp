#include "domain/order_tracking.h"

namespace storefront::checkout::domain {

void OrderTracking::ShipmentDispatched(const std::string& order_id, const std::string& carrier,
                                       const std::string& tracking_number) {
  orders_.SetShipmentStatus(order_id, ShipmentStatus::kDispatched);
  // CANCELLING too: the parcel left before the cancel reached shipping, which refuses it.
  orders_.Advance(order_id, {OrderStatus::kConfirmed, OrderStatus::kCancelling}, OrderStatus::kShipped,
                  "Shipped with " + carrier + ", tracking " + tracking_number);
}

void OrderTracking::ShipmentDelivered(const std::string& order_id) {
  orders_.SetShipmentStatus(order_id, ShipmentStatus::kDelivered);
  orders_.Advance(order_id, {OrderStatus::kConfirmed, OrderStatus::kCancelling, OrderStatus::kShipped},
                  OrderStatus::kDelivered, "Delivered");
}

void OrderTracking::ShipmentCancelled(const std::string& order_id) {
  orders_.SetShipmentStatus(order_id, ShipmentStatus::kCancelled);
}

void OrderTracking::PaymentCaptured(const std::string& order_id) {
  orders_.SetPaymentStatus(order_id, PaymentStatus::kCaptured);
}

void OrderTracking::PaymentVoided(const std::string& order_id) {
  orders_.SetPaymentStatus(order_id, PaymentStatus::kVoided);
}

void OrderTracking::PaymentRefunded(const std::string& order_id, bool fully_refunded) {
  orders_.SetPaymentStatus(order_id, fully_refunded ? PaymentStatus::kRefunded : PaymentStatus::kPartiallyRefunded);
  // A full refund of a sold order makes it REFUNDED even if the operator's call that asked for it
  // never heard back (RefundOrder moves it too; whichever comes second changes nothing). A
  // cancelled order refunded by its cancel stays CANCELLED.
  if (fully_refunded) {
    orders_.Advance(order_id, {OrderStatus::kConfirmed, OrderStatus::kShipped, OrderStatus::kDelivered},
                    OrderStatus::kRefunded, "Refunded");
  }
}

}  // namespace storefront::checkout::domain
