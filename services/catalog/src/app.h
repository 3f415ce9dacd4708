// The catalog service's composition root: configuration, pool, migrations, repository,
// use cases, gRPC transport, and the outbox relay that publishes the product events;
// service::Host runs their lifecycle. main() only builds an App and runs it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/catalog_api.h"
#include "domain/catalog.h"
#include "repo/pg_product_repository.h"
#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/service_events.h"
#include "shared/rpc/server.h"
#include "shared/service/host.h"

namespace storefront::catalog {

// The common settings (config::ServiceSettings); without KAFKA_BOOTSTRAP_SERVERS no relay runs
// (events still go to the outbox), as in tests of the service alone.
struct Config : config::ServiceSettings {
  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

// migrations/ plus the shared outbox table (version 900). The catalog consumes no events, so it
// has no inbox.
std::vector<db::Migration> AllMigrations();

class App : public service::Hosted {
 public:
  explicit App(Config config);

 private:
  Config config_;
  std::shared_ptr<const rpc::Tls> tls_;  // this process's certificate; null: plaintext (tests)
  db::Pool pool_;
  repo::PgProductRepository repository_;
  domain::Catalog catalog_;
  api::CatalogApi api_;
  rpc::Server server_;
  // The outbox relay, with Kafka. Declared after the pool, so it is destroyed (stopped and
  // joined) before it.
  events::ServiceEvents events_;
  // Last: destroyed first, it shuts everything above down while it still exists.
  service::Host host_;

  service::Host& host() override { return host_; }
};

}  // namespace storefront::catalog
