// The automatic progression of a shipment, standing in for a carrier's tracking feed: once
// checkout confirms the order (OrderConfirmed), the shipment is dispatched `dispatch` later and
// delivered `delivery` after that, with no operator involved.
//
// The schedule is one column of the shipment, next_step_at: when its next step is due. A ticker
// (a background::PeriodicTask in the App) calls Shipping::AdvanceDueShipments(now) every tick; each step is
// one transaction together with its event, and replicas share the work because a step claims its
// shipment with SELECT ... FOR UPDATE SKIP LOCKED. Time is always passed in, so tests move it by
// hand instead of sleeping.
#pragma once

#include <chrono>

#include "domain/shipment.h"

namespace storefront::shipping::domain {

struct ProgressionDelays {
  std::chrono::milliseconds dispatch{30'000};  // from OrderConfirmed to DISPATCHED
  std::chrono::milliseconds delivery{60'000};  // from DISPATCHED to DELIVERED
};

// Schedules the dispatch of a LABEL_CREATED shipment at now + delays.dispatch. Returns false,
// changing nothing, when the shipment is in any other status or already scheduled (a second
// OrderConfirmed does not push the dispatch back).
bool ScheduleProgression(Shipment& shipment, Timestamp now, const ProgressionDelays& delays);

// Takes the step due at `now`: LABEL_CREATED -> DISPATCHED, scheduling the delivery
// delays.delivery later, or DISPATCHED -> DELIVERED, which ends the schedule. The step is stamped
// with `now`, the time it really happened. Returns false, changing nothing, when no step is due.
bool TakeDueStep(Shipment& shipment, Timestamp now, const ProgressionDelays& delays);

}  // namespace storefront::shipping::domain
