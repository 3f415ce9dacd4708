// The operator's health page, GET /api/v1/admin/system/health: every service's standard gRPC
// health check (1 s), PostgreSQL (SELECT 1) and Kafka (cluster metadata) asked at once, answered
// when all have or at 2.5 s with the late ones down: 200 with status ok or degraded.
#pragma once

#include "routes/admin_routes.h"

namespace storefront::gateway::routes::admin {

void AddSystemRoutes(AdminRoutes& routes);

}  // namespace storefront::gateway::routes::admin
