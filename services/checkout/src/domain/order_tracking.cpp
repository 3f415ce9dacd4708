#include "domain/order_tracking.h"

namespace storefront::checkout::domain {

void OrderTracking::ShipmentDispatched(const std::string& order_id, const std::string& carrier,
                                       const std::string& tracking_number) {
  orders_.SetShipmentStatus(order_id, ShipmentStatus::kDispatched);
  orders_.Advance(order_id, {OrderStatus::kConfirmed}, OrderStatus::kShipped,
                  "Shipped with " + carrier + ", tracking " + tracking_number);
}

void OrderTracking::ShipmentDelivered(const std::string& order_id) {
  orders_.SetShipmentStatus(order_id, ShipmentStatus::kDelivered);
  orders_.Advance(order_id, {OrderStatus::kConfirmed, OrderStatus::kShipped}, OrderStatus::kDelivered, "Delivered");
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
}

}  // namespace storefront::checkout::domain
