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
#include "domain/expiry_sweeper.h"
#include "domain/inventory.h"
#include "repo/order_events.h"
#include "repo/pg_inventory_repository.h"
#include "shared/config/env.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/consumer.h"
#include "shared/events/relay.h"
#include "shared/rpc/server.h"

namespace storefront::inventory {

struct Config {
  std::string grpc_address;
  std::string database_url;
  int db_pool_size = 8;
  std::string log_level;
  // How often the sweeper looks for expired reservations.
  std::chrono::milliseconds reservation_sweep_interval{5000};
  // "host:port[,host:port...]"; empty runs without Kafka: events still go to the outbox, and
  // nothing is published or consumed (tests of the service alone).
  std::string kafka_bootstrap_servers;

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
  // Only with Kafka. After the pool, so they stop before it goes.
  std::unique_ptr<events::OutboxRelay> relay_;
  std::unique_ptr<events::Consumer> consumer_;
  // Declared last, so it is destroyed (stopped and joined) first, while the pool it uses lives.
  domain::ExpirySweeper sweeper_;
};

}  // namespace storefront::inventory
