// Operator routes for orders, all answered by checkout: GET /api/v1/admin/orders (every
// customer's, filtered), GET /{id} (with the saga's steps), POST /{id}/cancel and /{id}/refund,
// and GET /api/v1/admin/sales (orders and revenue per hour or day).
#pragma once

#include "routes/admin_routes.h"

namespace storefront::gateway::routes::admin {

void AddOrderRoutes(AdminRoutes& routes);

// JSON shape of the sales report, as documented in openapi.json (SalesReport).
nlohmann::json SalesJson(const storefront::checkout::v1::SalesReportResponse& report);

}  // namespace storefront::gateway::routes::admin
