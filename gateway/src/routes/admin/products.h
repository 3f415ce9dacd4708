// Operator routes for products: GET /api/v1/admin/products (inactive ones too), POST (create),
// PATCH /{id} (only the fields sent) and POST /{id}/deactivate, all answered by the catalog.
#pragma once

#include <vector>

#include "routes/admin_routes.h"

namespace storefront::gateway::routes::admin {

void AddProductRoutes(AdminRoutes& routes);

// Request bodies, read field by field: each problem is appended to `errors`, named by its JSON
// path ("price.amount_minor"), so one 400 lists them all. These catch shape and type errors and
// the obvious ranges; the catalog owns the rules (the SKU pattern, which currencies) and answers
// INVALID_ARGUMENT naming the field, which http::FromStatus turns into the same kind of 400.
storefront::catalog::v1::CreateProductRequest ReadNewProduct(const nlohmann::json* body, Errors& errors);
// Only the fields present go into update_mask; at least one is needed, and a field a product
// does not let change (sku, id, ...) is an error rather than silently ignored.
storefront::catalog::v1::UpdateProductRequest ReadProductPatch(const nlohmann::json* body, Errors& errors);

}  // namespace storefront::gateway::routes::admin
