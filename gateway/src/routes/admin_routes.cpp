#include "routes/admin_routes.h"

#include "routes/admin/events.h"
#include "routes/admin/faults.h"
#include "routes/admin/inventory.h"
#include "routes/admin/observability.h"
#include "routes/admin/orders.h"
#include "routes/admin/products.h"
#include "routes/admin/resilience.h"
#include "routes/admin/shipments.h"
#include "routes/admin/system.h"

namespace storefront::gateway::routes {

void AddAdminRoutes(http::GatewayRouter& router, std::shared_ptr<const auth::TokenVerifier> verifier,
                    AdminClients clients) {
  AdminRoutes routes(router, std::move(verifier), accounts::Role::kOperator, std::move(clients));
  admin::AddProductRoutes(routes);
  admin::AddInventoryRoutes(routes);
  admin::AddOrderRoutes(routes);
  admin::AddShipmentRoutes(routes);
  admin::AddSystemRoutes(routes);
  admin::AddEventRoutes(routes);
  admin::AddFaultRoutes(routes);
  admin::AddResilienceRoutes(routes);
  admin::AddObservabilityRoutes(routes);
}

}  // namespace storefront::gateway::routes
