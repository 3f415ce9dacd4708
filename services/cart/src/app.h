// The cart service's composition root: configuration, pool, migrations, repository, catalog
// client, use cases, gRPC transport. main() only builds an App and runs it.
#pragma once

#include <chrono>
#include <string>

#include "api/cart_api.h"
#include "clients/grpc_product_catalog.h"
#include "domain/carts.h"
#include "repo/pg_cart_repository.h"
#include "shared/config/env.h"
#include "shared/db/pool.h"
#include "shared/rpc/server.h"

namespace storefront::cart {

struct Config {
  std::string grpc_address;
  std::string database_url;
  int db_pool_size = 8;
  std::string log_level;
  std::string catalog_address;                // where the catalog service listens
  std::chrono::milliseconds catalog_timeout;  // deadline of each catalog call

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

class App {
 public:
  explicit App(Config config);
  // Applies migrations and starts serving; returns the bound port.
  int Start();
  void ServeUntil(rpc::TerminationSignals& signals) { server_.ServeUntil(signals); }
  void Shutdown() { server_.Shutdown(); }

 private:
  Config config_;
  db::Pool pool_;
  repo::PgCartRepository repository_;
  clients::GrpcProductCatalog catalog_;
  domain::Carts carts_;
  api::CartApi api_;
  rpc::Server server_;
};

}  // namespace storefront::cart
