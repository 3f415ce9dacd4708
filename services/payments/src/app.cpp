#include "app.h"

#include "shared/db/migrations.h"

namespace storefront::payments {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

Config Config::FromEnv(config::Env env) {
  Config config;
  config.grpc_address = env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:50054", /*allow_zero_port=*/true);
  config.database_url = env.Required("DATABASE_URL", "PostgreSQL connection string for the payments role");
  config.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  config.card_processor = env.OneOf("CARD_PROCESSOR", "simulated", {"simulated"});
  env.Validate();
  return config;
}

App::App(Config config)
    : config_(std::move(config)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgPaymentRepository::Prepare),
      repository_(pool_),
      payments_(repository_, processor_),
      api_(payments_),
      server_({.listen_address = config_.grpc_address}) {
  server_.AddService(&api_);
}

int App::Start() {
  {
    auto connection = pool_.Acquire();
    db::Migrate(*connection, "payments", Migrations());
  }
  return server_.Start();
}

}  // namespace storefront::payments
