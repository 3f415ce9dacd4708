// The guard settings (circuit breaker thresholds, bulkhead size) of a process that calls other
// services, read from the environment the same way in the gateway and in checkout.
#pragma once

#include "shared/config/env.h"
#include "shared/rpc/guard.h"

namespace storefront::rpc {

// BREAKER_FAILURE_PERCENT (50), BREAKER_MINIMUM_CALLS (10), BREAKER_WINDOW_MS (10000),
// BREAKER_OPEN_MS (5000), BREAKER_MAX_OPEN_MS (60000), MAX_IN_FLIGHT_PER_UPSTREAM (64).
GuardSettings ReadGuardSettings(config::Env& env);

}  // namespace storefront::rpc
