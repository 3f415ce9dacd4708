#include "domain/status_machine.h"

namespace storefront::shipping::domain {

std::string_view Name(ShipmentStatus status) {
  switch (status) {
    case ShipmentStatus::kLabelCreated:
      return "LABEL_CREATED";
    case ShipmentStatus::kDispatched:
      return "DISPATCHED";
    case ShipmentStatus::kDelivered:
      return "DELIVERED";
    case ShipmentStatus::kCancelled:
      return "CANCELLED";
    default:
      return "UNSPECIFIED";
  }
}

std::optional<ShipmentStatus> StatusFromName(std::string_view name) {
  for (auto status : {ShipmentStatus::kLabelCreated, ShipmentStatus::kDispatched, ShipmentStatus::kDelivered,
                      ShipmentStatus::kCancelled}) {
    if (Name(status) == name) return status;
  }
  return std::nullopt;
}

std::optional<ShipmentStatus> NextStatus(ShipmentStatus status) {
  switch (status) {
    case ShipmentStatus::kLabelCreated:
      return ShipmentStatus::kDispatched;
    case ShipmentStatus::kDispatched:
      return ShipmentStatus::kDelivered;
    default:
      return std::nullopt;
  }
}

bool Advance(Shipment& shipment, ShipmentStatus to, Timestamp now) {
  if (shipment.status == to) return false;
  if (NextStatus(shipment.status) != to) {
    std::string message = "shipment " + shipment.id + " is " + std::string(Name(shipment.status)) +
                          " and cannot move to " + std::string(Name(to));
    if (auto next = NextStatus(shipment.status)) message += "; the next status is " + std::string(Name(*next));
    throw FailedPrecondition(message);
  }
  shipment.status = to;
  if (to == ShipmentStatus::kDispatched) shipment.dispatched_at = now;
  if (to == ShipmentStatus::kDelivered) shipment.delivered_at = now;
  shipment.updated_at = now;
  shipment.next_step_at.reset();
  return true;
}

bool Cancel(Shipment& shipment, const std::string& reason, Timestamp now) {
  if (shipment.status == ShipmentStatus::kCancelled) return false;
  if (shipment.status != ShipmentStatus::kLabelCreated) {
    throw FailedPrecondition("shipment " + shipment.id + " is " + std::string(Name(shipment.status)) +
                             ": a parcel with the carrier cannot be cancelled");
  }
  shipment.status = ShipmentStatus::kCancelled;
  shipment.cancel_reason = reason;
  shipment.cancelled_at = now;
  shipment.updated_at = now;
  shipment.next_step_at.reset();
  return true;
}

std::optional<ShipmentEvent> EventForMove(ShipmentStatus from, ShipmentStatus to) {
  if (from == to) return std::nullopt;
  switch (to) {
    case ShipmentStatus::kDispatched:
      return ShipmentEvent::kDispatched;
    case ShipmentStatus::kDelivered:
      return ShipmentEvent::kDelivered;
    case ShipmentStatus::kCancelled:
      return ShipmentEvent::kCancelled;
    default:
      return std::nullopt;  // nothing moves back to LABEL_CREATED
  }
}

}  // namespace storefront::shipping::domain
