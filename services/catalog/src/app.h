// The catalog service's composition root: configuration, pool, migrations, repository,
// use cases, gRPC transport. main() only builds an App and runs it.
#pragma once

#include <memory>
#include <string>

#include "api/catalog_api.h"
#include "domain/catalog.h"
#include "repo/pg_product_repository.h"
#include "shared/config/env.h"
#include "shared/db/pool.h"
#include "shared/rpc/server.h"

namespace storefront::catalog {

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
  explicit App(Config config);
  // Applies migrations and starts serving; returns the bound port.
  int Start();
  void ServeUntil(rpc::TerminationSignals& signals) { server_.ServeUntil(signals); }
  void Shutdown() { server_.Shutdown(); }

 private:
  Config config_;
  db::Pool pool_;
  repo::PgProductRepository repository_;
  domain::Catalog catalog_;
  api::CatalogApi api_;
  rpc::Server server_;
};

}  // namespace storefront::catalog
