// The inventory service's composition root: configuration, pool, migrations, repository, use
// cases, the reservation sweeper thread and the gRPC transport. main() only builds an App and
// runs it.
#pragma once

#include <chrono>
#include <string>

#include "api/inventory_api.h"
#include "domain/expiry_sweeper.h"
#include "domain/inventory.h"
#include "repo/pg_inventory_repository.h"
#include "shared/config/env.h"
#include "shared/db/pool.h"
#include "shared/rpc/server.h"

namespace storefront::inventory {

struct Config {
  std::string grpc_address;
  std::string database_url;
  int db_pool_size = 8;
  std::string log_level;
  // How often the sweeper looks for expired reservations.
  std::chrono::milliseconds reservation_sweep_interval{5000};

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

class App {
 public:
  // `clock` is the time every deadline is measured against; tests pass a fake one.
  explicit App(Config config, domain::Clock clock = [] { return std::chrono::system_clock::now(); });
  // Applies migrations, starts the sweeper and starts serving; returns the bound port.
  int Start();
  // Serves until SIGTERM/SIGINT, then drains the server and stops the sweeper.
  void ServeUntil(rpc::TerminationSignals& signals);
  // Idempotent.
  void Shutdown();

 private:
  Config config_;
  db::Pool pool_;
  repo::PgInventoryRepository repository_;
  domain::Inventory inventory_;
  api::InventoryApi api_;
  rpc::Server server_;
  // Declared last, so it is destroyed (stopped and joined) first, while the pool it uses lives.
  domain::ExpirySweeper sweeper_;
};

}  // namespace storefront::inventory
