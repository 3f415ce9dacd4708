// A shipment's life cycle as a small state machine, in pure functions:
//
//   LABEL_CREATED -> DISPATCHED -> DELIVERED
//        |
//        +-> CANCELLED            (only before the parcel is with the carrier)
//
// Callers name the status they want (AdvanceShipment's to_status) instead of asking for "the
// next one", so a retried call that already landed finds the shipment in that status and is a
// no-op, where "advance" would skip a step. These functions decide and apply; the repository
// runs them under a row lock so two operators cannot both move the same shipment.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/shipment.h"

namespace storefront::shipping::domain {

// "LABEL_CREATED", "DISPATCHED", ...: for messages and the database column.
std::string_view Name(ShipmentStatus status);
// Inverse of Name; nullopt for anything else.
std::optional<ShipmentStatus> StatusFromName(std::string_view name);

// The step after `status` towards the doorstep; nullopt for DELIVERED, CANCELLED and UNSPECIFIED.
std::optional<ShipmentStatus> NextStatus(ShipmentStatus status);

// Moves `shipment` to `to`, stamping the matching timestamp and updated_at with `now`, and
// clears any automatic step scheduled for it (an operator moving a shipment takes it over).
// Returns false, changing nothing, when the shipment is already in `to` (a retry). Throws
// FailedPrecondition for any other target than the next status (skipping, going back, or
// moving a cancelled or delivered shipment). `to` must be a known status; CANCELLED goes
// through Cancel.
bool Advance(Shipment& shipment, ShipmentStatus to, Timestamp now);

// Cancels a LABEL_CREATED shipment with `reason` (and any automatic step scheduled for it).
// Returns false, changing nothing (the first reason is kept), when it is already CANCELLED;
// throws FailedPrecondition once it is with the carrier.
bool Cancel(Shipment& shipment, const std::string& reason, Timestamp now);

// The events a shipment announces (proto/storefront/events/v1/shipping_events.proto). The
// repository writes each one to the outbox in the transaction that stores the change.
enum class ShipmentEvent { kCreated, kDispatched, kDelivered, kCancelled };

// The event announcing a move from `from` to `to`; nullopt when the status stayed the same.
// (kCreated is announced by the insert of a new shipment, not by a move.)
std::optional<ShipmentEvent> EventForMove(ShipmentStatus from, ShipmentStatus to);

}  // namespace storefront::shipping::domain
