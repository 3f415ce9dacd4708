#include "app.h"

#include "shared/db/migrations.h"

namespace storefront::shipping {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

Config Config::FromEnv(config::Env env) {
  Config config;
  config.grpc_address = env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:50056", /*allow_zero_port=*/true);
  config.database_url = env.Required("DATABASE_URL", "PostgreSQL connection string for the shipping role");
  config.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  env.Validate();
  return config;
}

App::App(Config config, domain::Clock clock)
    : config_(std::move(config)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgShipmentRepository::Prepare),
      repository_(pool_),
      shipping_(repository_, clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); },
                domain::SecureRandomDigits()),
      api_(shipping_),
      server_({.listen_address = config_.grpc_address}) {
  server_.AddService(&api_);
}

int App::Start() {
  {
    auto connection = pool_.Acquire();
    db::Migrate(*connection, "shipping", Migrations());
  }
  return server_.Start();
}

}  // namespace storefront::shipping
