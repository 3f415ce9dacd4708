// The read model's use cases: an order's status, shipment and payment follow what shipping and
// payments announce in their events (consumers/ decodes them and calls these).
//
// An order only ever moves forward: a dispatch moves a CONFIRMED order to SHIPPED and a delivery
// a CONFIRMED or SHIPPED one to DELIVERED, each with a timeline entry, so a redelivered or late
// event changes nothing (the consumer's inbox already drops exact redeliveries; this also holds
// for a dispatch that arrives after the delivery). Statuses of the shipment and payment are set
// as announced: a full refund is REFUNDED, a partial one PARTIALLY_REFUNDED.
#pragma once

#include <string>

#include "domain/ports.h"

namespace storefront::checkout::domain {

class OrderTracking {
 public:
  explicit OrderTracking(OrderTrackingStore& orders) : orders_(orders) {}

  void ShipmentDispatched(const std::string& order_id, const std::string& carrier, const std::string& tracking_number);
  void ShipmentDelivered(const std::string& order_id);
  void ShipmentCancelled(const std::string& order_id);
  void PaymentCaptured(const std::string& order_id);
  void PaymentVoided(const std::string& order_id);
  void PaymentRefunded(const std::string& order_id, bool fully_refunded);

 private:
  OrderTrackingStore& orders_;
};

}  // namespace storefront::checkout::domain
