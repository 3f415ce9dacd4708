// Operator routes for the event log (eventlog/): GET /api/v1/admin/events?topic= (the newest
// events of one topic), GET /api/v1/admin/dead-letters, POST
// /api/v1/admin/dead-letters/{partition}/{offset}/replay, and GET /api/v1/admin/topics. Every
// broker call runs on the console's BlockingPool; without a broker they answer 503.
#pragma once

#include "routes/admin_routes.h"

namespace storefront::gateway::routes::admin {

void AddEventRoutes(AdminRoutes& routes);

}  // namespace storefront::gateway::routes::admin
