// The console dashboard's resilience panel, GET /api/v1/admin/resilience (operators only): what
// the store's protections are doing right now, from every process.
//   upstreams    each caller's circuit breaker and bulkhead per upstream: the gateway's own, then
//                every replica's of every service (their ops service's GetResilience, 2 s each;
//                a replica that did not answer is an entry with "error")
//   retries      attempts each service received that gRPC marked as retries, per method
//   rate_limits  the gateway's rate limiting (its policies and refusals)
//   faults       the fault lab's faults switched on, as GET /api/v1/admin/faults lists them
// Always 200 once every replica has answered or failed.
#pragma once

#include <nlohmann/json.hpp>

#include "routes/admin_routes.h"
#include "shared/rpc/guard.h"

namespace storefront::gateway::routes::admin {

void AddResilienceRoutes(AdminRoutes& routes);

// One upstreams entry of this process (caller "gateway").
nlohmann::json LocalGuardJson(const rpc::GuardSnapshot& guard);
// One upstreams entry of a service replica's GetResilience.
nlohmann::json RemoteGuardJson(const std::string& caller, const std::string& replica,
                               const storefront::ops::v1::UpstreamGuard& guard);

}  // namespace storefront::gateway::routes::admin
