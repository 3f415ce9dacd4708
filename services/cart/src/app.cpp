#include "app.h"

#include "shared/db/migrations.h"

namespace storefront::cart {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

Config Config::FromEnv(config::Env env) {
  Config config;
  config.grpc_address = env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:50052", /*allow_zero_port=*/true);
  config.database_url = env.Required("DATABASE_URL", "PostgreSQL connection string for the cart role");
  config.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  config.catalog_address = env.HostPort("CATALOG_ADDR", "127.0.0.1:50051");
  config.catalog_timeout = std::chrono::milliseconds(env.Int("CATALOG_TIMEOUT_MS", 2000, 10, 60000));
  env.Validate();
  return config;
}

App::App(Config config)
    : config_(std::move(config)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgCartRepository::Prepare),
      repository_(pool_),
      // The channel connects lazily: the cart starts (and serves GetCart) while the catalog is down.
      catalog_(clients::CatalogClient(rpc::MakeChannel(config_.catalog_address), config_.catalog_timeout)),
      carts_(repository_, catalog_),
      api_(carts_),
      server_({.listen_address = config_.grpc_address}) {
  server_.AddService(&api_);
}

int App::Start() {
  {
    auto connection = pool_.Acquire();
    db::Migrate(*connection, "cart", Migrations());
  }
  return server_.Start();
}

}  // namespace storefront::cart
