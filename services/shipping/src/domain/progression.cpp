#include "domain/progression.h"

#include "domain/status_machine.h"

namespace storefront::shipping::domain {

bool ScheduleProgression(Shipment& shipment, Timestamp now, const ProgressionDelays& delays) {
  if (shipment.status != ShipmentStatus::kLabelCreated || shipment.next_step_at) return false;
  shipment.next_step_at = now + delays.dispatch;
  shipment.updated_at = now;
  return true;
}

bool TakeDueStep(Shipment& shipment, Timestamp now, const ProgressionDelays& delays) {
  if (!shipment.next_step_at || *shipment.next_step_at > now) return false;
  auto next = NextStatus(shipment.status);
  if (!next) {  // cannot happen while the CHECK holds; never leave a schedule nobody can take
    shipment.next_step_at.reset();
    shipment.updated_at = now;
    return true;
  }
  Advance(shipment, *next, now);  // clears next_step_at
  if (*next == ShipmentStatus::kDispatched) shipment.next_step_at = now + delays.delivery;
  return true;
}

}  // namespace storefront::shipping::domain
