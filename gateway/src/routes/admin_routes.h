// The operator API, /api/v1/admin/..., one file per resource under admin/: products (inactive
// ones too), inventory (stock levels and adjustments), orders (every customer's, with their saga
// steps; cancel, refund; the sales report), shipments, system (the health of every component),
// events (the event log, dead letters and their replay, topics), faults (the fault lab's
// switches), resilience (breakers, bulkheads, retries and rate limits at work) and observability
// (the dashboard's live figures, read from Prometheus).
//
// Every route is wrapped by auth::RequireAuth(verifier, Role::kOperator, ...): no token is 401,
// a shopper's token 403. Handlers validate field by field (http::JsonFields, one 400 naming
// every bad field), call the services asynchronously (rpc::AsyncCall) and answer from gRPC's
// callback thread; whatever blocks (the database's SELECT 1, every broker call) runs on the
// console's http::BlockingPool. No handler blocks a reactor thread.
#pragma once

#include <memory>
#include <vector>

#include "auth/jwt.h"
#include "cache/read_cache.h"
#include "eventlog/event_log.h"
#include "http/blocking_pool.h"
#include "http/handler.h"
#include "http/rate_limit.h"
#include "observability/prometheus_client.h"
#include "routes/admin/replicas.h"
#include "routes/catalog_routes.h"
#include "routes/kit.h"
#include "routes/system_routes.h"
#include "shared/db/pool.h"
#include "shared/rpc/client.h"
#include "shared/types/time.h"
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
  // Every service's address setting, for the calls that must reach each replica's ops service:
  // the fault lab's switches and the resilience page.
  std::shared_ptr<admin::Replicas> replicas;
  // The broker; null when KAFKA_BOOTSTRAP_SERVERS is empty: the health page says "not
  // configured" and the event routes answer 503.
  std::shared_ptr<eventlog::EventLog> events;
  // Where the database and broker calls run.
  std::shared_ptr<http::BlockingPool> workers;
  // The gateway's rate limiter, for the resilience page's refusal counts; null: no limits.
  std::shared_ptr<http::RateLimiter> rate_limits;
  // Where the dashboard's live figures come from (PROMETHEUS_URL); null: the observability route
  // answers 503.
  std::shared_ptr<const observability::PrometheusClient> prometheus;
  // An order's trace_url is this followed by its trace id (TRACE_UI_URL); empty: no trace_url.
  std::string trace_ui_url;
  // The shopper reads' cache (cache/read_cache.h), dropped at once by an operator's product change
  // through this gateway; null: none.
  std::shared_ptr<cache::ReadCache> read_cache;
  // "Now", for the sales report's default range; empty means the system clock.
  types::Clock clock;
};

// What each admin/ file adds its routes to: operators only, over AdminClients.
using AdminRoutes = GuardedRoutes<AdminClients>;

// The 503 detail when the console's BlockingPool queue is full.
inline constexpr const char* kConsoleBusy = "the gateway is busy with other console requests; try again in a moment";

void AddAdminRoutes(http::GatewayRouter& router, std::shared_ptr<const auth::TokenVerifier> verifier,
                    AdminClients clients);

}  // namespace storefront::gateway::routes
