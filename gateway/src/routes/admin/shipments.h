// Operator routes for shipments, answered by shipping: GET /api/v1/admin/shipments (by status)
// and POST /{id}/advance (dispatched or delivered by hand).
#pragma once

#include "routes/admin_routes.h"

namespace storefront::gateway::routes::admin {

void AddShipmentRoutes(AdminRoutes& routes);

// JSON shape of a shipment, as documented in openapi.json (Shipment): times not reached yet are null.
nlohmann::json ShipmentJson(const storefront::shipping::v1::Shipment& shipment);

}  // namespace storefront::gateway::routes::admin
