// The shipping service's composition root: configuration, pool, migrations, repository,
// use cases (with the real clock and random source), gRPC transport. main() only builds an App
// and runs it.
#pragma once

#include <memory>
#include <string>

#include "api/shipping_api.h"
#include "domain/shipping.h"
#include "repo/pg_shipment_repository.h"
#include "shared/config/env.h"
#include "shared/db/pool.h"
#include "shared/rpc/server.h"

namespace storefront::shipping {

struct Config {
  std::string grpc_address;
  std::string database_url;
  int db_pool_size = 8;
  std::string log_level;

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

class App {
 public:
  // `clock` defaults to the system clock; tests pass their own to control timestamps.
  explicit App(Config config, domain::Clock clock = {});
  // Applies migrations and starts serving; returns the bound port.
  int Start();
  void ServeUntil(rpc::TerminationSignals& signals) { server_.ServeUntil(signals); }
  void Shutdown() { server_.Shutdown(); }

 private:
  Config config_;
  db::Pool pool_;
  repo::PgShipmentRepository repository_;
  domain::Shipping shipping_;
  api::ShippingApi api_;
  rpc::Server server_;
};

}  // namespace storefront::shipping
