// The inventory service's composition root: configuration, pool, migrations, repository, use
// cases, the reservation sweeper thread, the gRPC transport, and (when Kafka is configured) the
// outbox relay that publishes inventory's events and the consumer of checkout's order events.
// main() only builds an App and runs it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/inventory_api.h"
#include "shared/background/periodic_task.h"
#include "domain/inventory.h"
#include "repo/order_events.h"
#include "repo/pg_inventory_repository.h"
#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/service_events.h"
#include "shared/rpc/server.h"

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

class App {
 public:
  // `clock` is the time every deadline is measured against; tests pass a fake one.
  explicit App(Config config, domain::Clock clock = [] { return std::chrono::system_clock::now(); });
  // Applies migrations, starts the sweeper, the relay and the consumer (with Kafka), and starts
  // serving; returns the bound port.
  int Start();
  // Serves until SIGTERM/SIGINT, then drains the server and stops the background threads.
  void ServeUntil(rpc::TerminationSignals& signals);
  // Idempotent.
  void Shutdown();

 private:
  void StopBackground();

  Config config_;
  domain::Clock clock_;
  db::Pool pool_;
  repo::PgInventoryRepository repository_;
  domain::Inventory inventory_;
  api::InventoryApi api_;
  rpc::Server server_;
  repo::OrderEventHandlers order_events_;
  // The relay and the consumer, with Kafka. After the pool, so they stop before it goes.
  events::ServiceEvents events_;
  // Declared last, so it is destroyed (stopped and joined) first, while the pool it uses lives.
  background::PeriodicTask sweeper_;
};

}  // namespace storefront::inventory
