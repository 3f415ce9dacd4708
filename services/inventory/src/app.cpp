#include "app.h"

#include "shared/db/migrations.h"

namespace storefront::inventory {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

Config Config::FromEnv(config::Env env) {
  Config config;
  config.grpc_address = env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:50055", /*allow_zero_port=*/true);
  config.database_url = env.Required("DATABASE_URL", "PostgreSQL connection string for the inventory role");
  config.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  config.reservation_sweep_interval =
      std::chrono::milliseconds(env.Int("RESERVATION_SWEEP_INTERVAL_MS", 5000, 10, 3'600'000));
  env.Validate();
  return config;
}

App::App(Config config, domain::Clock clock)
    : config_(std::move(config)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgInventoryRepository::Prepare),
      repository_(pool_),
      inventory_(repository_, std::move(clock)),
      api_(inventory_),
      server_({.listen_address = config_.grpc_address}),
      sweeper_([this] { return inventory_.ExpireDueReservations(); }, config_.reservation_sweep_interval) {
  server_.AddService(&api_);
}

int App::Start() {
  {
    auto connection = pool_.Acquire();
    db::Migrate(*connection, "inventory", Migrations());
  }
  sweeper_.Start();
  return server_.Start();
}

void App::ServeUntil(rpc::TerminationSignals& signals) {
  server_.ServeUntil(signals);
  sweeper_.Stop();
}

void App::Shutdown() {
  server_.Shutdown();
  sweeper_.Stop();
}

}  // namespace storefront::inventory
