#include "domain/status_machine.h"

#include "shared/types/enum_names.h"

namespace storefront::shipping::domain {

namespace {

constexpr types::EnumNames<ShipmentStatus, 4> kStatusNames{{{ShipmentStatus::kLabelCreated, "LABEL_CREATED"},
                                                            {ShipmentStatus::kDispatched, "DISPATCHED"},
                                                            {ShipmentStatus::kDelivered, "DELIVERED"},
                                                            {ShipmentStatus::kCancelled, "CANCELLED"}}};

}  // namespace

std::string_view Name(ShipmentStatus status) { return types::NameOf(kStatusNames, status, "UNSPECIFIED"); }

std::optional<ShipmentStatus> StatusFromName(std::string_view name) { return types::ValueOf(kStatusNames, name); }

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
