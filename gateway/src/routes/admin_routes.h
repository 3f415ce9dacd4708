// The operator API, /api/v1/admin/...: products (inactive ones too), stock levels and
// adjustments, every customer's orders with their saga steps, cancel and refund, shipments, and
// the system pages (health of every component, the event log, dead letters and their replay,
// topics, sales).
//
// Every route is wrapped by auth::RequireAuth(verifier, Role::kOperator, ...): no token is 401,
// a shopper's token 403. Handlers validate field by field (http::JsonFields, one 400 naming
// every bad field), call the services asynchronously (rpc::AsyncCall) and answer from gRPC's
// callback thread; whatever blocks (the database's SELECT 1, every librdkafka call) runs on the
// console's http::BlockingPool. No handler blocks a reactor thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "auth/require.h"
#include "http/blocking_pool.h"
#include "http/handler.h"
#include "routes/admin_events.h"
#include "routes/catalog_routes.h"
#include "routes/system_routes.h"
#include "shared/db/pool.h"
#include "shared/rpc/client.h"
#include "storefront/checkout/v1/checkout.grpc.pb.h"
#include "storefront/inventory/v1/inventory.grpc.pb.h"
#include "storefront/shipping/v1/shipping.grpc.pb.h"

namespace storefront::gateway::routes {

struct AdminClients {
  std::shared_ptr<CatalogClient> catalog;
  std::shared_ptr<rpc::Client<storefront::inventory::v1::InventoryService>> inventory;
  std::shared_ptr<rpc::Client<storefront::checkout::v1::CheckoutService>> checkout;
  std::shared_ptr<rpc::Client<storefront::shipping::v1::ShippingService>> shipping;
  // Every service of the store, for the health page (standard gRPC health check, 1 s each).
  std::vector<Upstream> services;
  // The gateway's own database (the accounts pool), checked with SELECT 1.
  std::shared_ptr<db::Pool> database;
  // The broker; null when KAFKA_BOOTSTRAP_SERVERS is empty: the health page says "not
  // configured" and the event routes answer 503.
  std::shared_ptr<admin::EventLog> events;
  // Where the database and broker calls run.
  std::shared_ptr<http::BlockingPool> workers;
  // "Now", for the sales report's default range; empty means the system clock.
  std::function<std::chrono::system_clock::time_point()> clock;
};

void AddAdminRoutes(http::GatewayRouter& router, std::shared_ptr<const auth::TokenVerifier> verifier,
                    AdminClients clients);

// JSON shapes, as documented in openapi.json (StockLevel, Adjustment, Shipment, SalesReport).
nlohmann::json StockLevelJson(const storefront::inventory::v1::StockLevel& level);
nlohmann::json AdjustmentJson(const storefront::inventory::v1::StockAdjustment& adjustment);
nlohmann::json ShipmentJson(const storefront::shipping::v1::Shipment& shipment);
nlohmann::json SalesJson(const storefront::checkout::v1::SalesReportResponse& report);

// Request bodies, read field by field: each problem is appended to `errors`, named by its JSON
// path ("price.amount_minor"), so one 400 lists them all. The upstream validates again (it owns
// the rules); these catch shape and type errors and the obvious ranges.
storefront::catalog::v1::CreateProductRequest ReadNewProduct(const nlohmann::json* body,
                                                             std::vector<http::FieldError>& errors);
// Only the fields present go into update_mask; at least one is needed, and a field a product
// does not let change (sku, id, ...) is an error rather than silently ignored.
storefront::catalog::v1::UpdateProductRequest ReadProductPatch(const nlohmann::json* body,
                                                               std::vector<http::FieldError>& errors);
// delta (non-zero), reason (restock, count, damaged, returned) and note; the actor and the
// idempotency key are not the body's to choose and are set by the route.
storefront::inventory::v1::AdjustStockRequest ReadAdjustment(const nlohmann::json* body,
                                                             std::vector<http::FieldError>& errors);

// The inventory idempotency key (a UUID) for an operator's Idempotency-Key: the same account and
// key always give the same UUID, so a retried adjustment is applied once.
std::string AdjustmentKey(const std::string& account_id, const std::string& idempotency_key);

}  // namespace storefront::gateway::routes
