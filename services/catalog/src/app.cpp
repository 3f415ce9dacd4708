#include "app.h"

namespace storefront::catalog {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

Config Config::FromEnv(config::Env env) {
  Config config{config::ReadServiceSettings(env, "catalog", 50051)};
  env.Validate();
  return config;
}

std::vector<db::Migration> AllMigrations() {
  return events::ServiceEvents::WithEventTables(Migrations(), {.outbox = true});
}

App::App(Config config)
    : config_(std::move(config)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgProductRepository::Prepare),
      repository_(pool_),
      catalog_(repository_),
      api_(catalog_),
      server_({.listen_address = config_.grpc_address}),
      // The catalog publishes its product events and consumes none.
      events_(pool_, {.bootstrap_servers = config_.kafka_bootstrap_servers,
                      .schema = "catalog",
                      .name = "catalog",
                      .consumes = {}}),
      host_({.schema = "catalog", .migrations = AllMigrations(), .pool = pool_, .server = server_, .events = events_}) {
  server_.AddService(&api_);
}

}  // namespace storefront::catalog
