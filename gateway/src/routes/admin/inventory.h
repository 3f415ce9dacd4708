// Operator routes for stock: GET /api/v1/admin/inventory (every level), /low-stock,
// /{product_id}, and POST / GET /{product_id}/adjustments (adjust by hand, the audit trail), all
// answered by inventory.
#pragma once

#include <string>

#include "routes/admin_routes.h"

namespace storefront::gateway::routes::admin {

void AddInventoryRoutes(AdminRoutes& routes);

// JSON shapes, as documented in openapi.json (StockLevel, Adjustment).
nlohmann::json StockLevelJson(const storefront::inventory::v1::StockLevel& level);
nlohmann::json AdjustmentJson(const storefront::inventory::v1::StockAdjustment& adjustment);

// delta (non-zero), reason (restock, count, damaged, returned) and note; the actor and the
// idempotency key are not the body's to choose and are set by the route.
storefront::inventory::v1::AdjustStockRequest ReadAdjustment(const nlohmann::json* body, Errors& errors);

// The inventory idempotency key (a UUID) for an operator's Idempotency-Key: the same account and
// key always give the same UUID, so a retried adjustment is applied once.
std::string AdjustmentKey(const std::string& account_id, const std::string& idempotency_key);

}  // namespace storefront::gateway::routes::admin
