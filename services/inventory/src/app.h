// The inventory service's composition root: configuration, pool, repository, use cases, the
// reservation sweeper, the gRPC transport, and (when Kafka is configured) the outbox relay that
// publishes inventory's events and the consumer of checkout's order events. The lifecycle (migrate,
// start, serve, shut down) is the shared service::Host's; main() only builds an App and runs it.
#pragma once

#include <chrono>
#include <vector>

#include "api/inventory_api.h"
#include "consumers/order_events.h"
#include "domain/inventory.h"
#include "repo/pg_inventory_repository.h"
#include "shared/background/periodic_task.h"
#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/service_events.h"
#include "shared/rpc/server.h"
#include "shared/service/host.h"
#include "shared/types/time.h"

namespace storefront::inventory {

// The common settings (config::ServiceSettings) plus inventory's own. Without
// KAFKA_BOOTSTRAP_SERVERS events still go to the outbox, and nothing is published or consumed
// (tests of the service alone).
struct Config : config::ServiceSettings {
  // How often the sweeper looks for expired reservations.
  std::chrono::milliseconds reservation_sweep_interval{5000};

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

// Inventory's own migrations plus the shared outbox (V900) and inbox (V901) tables.
std::vector<db::Migration> AllMigrations();

class App : public service::Hosted {
 public:
  // `clock` is the time every deadline is measured against; tests pass a fake one.
  explicit App(Config config, domain::Clock clock = types::SystemNow);

 private:
  Config config_;
  std::shared_ptr<const rpc::Tls> tls_;  // this process's certificate; null: plaintext (tests)
  domain::Clock clock_;
  db::Pool pool_;
  repo::PgInventoryRepository repository_;
  domain::Inventory inventory_;
  api::InventoryApi api_;
  rpc::Server server_;
  consumers::OrderEventHandlers order_events_;
  events::ServiceEvents events_;
  background::PeriodicTask sweeper_;
  // Last: destroyed first, so it shuts down everything above while it still exists.
  service::Host host_;

  service::Host& host() override { return host_; }
};

}  // namespace storefront::inventory
