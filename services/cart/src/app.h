// The cart service's composition root: configuration, pool, migrations, repository, catalog
// client, use cases, gRPC transport, and (when Kafka is configured) the consumer of checkout's
// order events; service::Host runs their lifecycle. main() only builds an App and runs it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/cart_api.h"
#include "clients/grpc_product_catalog.h"
#include "consumers/order_events.h"
#include "domain/carts.h"
#include "repo/pg_cart_repository.h"
#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/service_events.h"
#include "shared/rpc/server.h"
#include "shared/service/host.h"

namespace storefront::cart {

// The common settings (config::ServiceSettings) plus the cart's own. Without
// KAFKA_BOOTSTRAP_SERVERS nothing is consumed (tests of the service alone).
struct Config : config::ServiceSettings {
  std::string catalog_address;                // where the catalog service listens
  std::chrono::milliseconds catalog_timeout;  // deadline of each catalog call
  rpc::GuardSettings guard;                    // the catalog's breaker and bulkhead

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

// The cart's own migrations plus the shared inbox table (V901); the cart publishes nothing, so
// it has no outbox.
std::vector<db::Migration> AllMigrations();

class App : public service::Hosted {
 public:
  explicit App(Config config);

 private:
  Config config_;
  std::shared_ptr<const rpc::Tls> tls_;  // this process's certificate; null: plaintext (tests)
  db::Pool pool_;
  repo::PgCartRepository repository_;
  rpc::Guards guards_;  // the catalog's breaker and bulkhead
  clients::GrpcProductCatalog catalog_;
  domain::Carts carts_;
  api::CartApi api_;
  rpc::Server server_;
  consumers::OrderEventHandlers order_events_;
  // The consumer of order events, with Kafka. After the pool, so it stops before the pool goes.
  events::ServiceEvents events_;
  // Last: destroyed first, it shuts everything above down while it still exists.
  service::Host host_;

  service::Host& host() override { return host_; }
};

}  // namespace storefront::cart
