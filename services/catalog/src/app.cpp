#include "app.h"

#include "shared/events/outbox.h"

namespace storefront::catalog {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

namespace {

// Every entry of a comma-separated bootstrap list must be host:port.
bool IsBootstrapList(const std::string& list) {
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    if (!config::SplitHostPort(list.substr(start, end - start))) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

Config Config::FromEnv(config::Env env) {
  Config config;
  config.grpc_address = env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:50051", /*allow_zero_port=*/true);
  config.database_url = env.Required("DATABASE_URL", "PostgreSQL connection string for the catalog role");
  config.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  config.kafka_bootstrap_servers = env.String("KAFKA_BOOTSTRAP_SERVERS", "");
  env.Validate();
  if (!config.kafka_bootstrap_servers.empty() && !IsBootstrapList(config.kafka_bootstrap_servers)) {
    throw config::ConfigError("KAFKA_BOOTSTRAP_SERVERS: must be host:port[,host:port...] or empty");
  }
  return config;
}

std::vector<db::Migration> AllMigrations() {
  std::vector<db::Migration> all = Migrations();
  all.push_back(events::OutboxMigration());
  return all;
}

App::App(Config config)
    : config_(std::move(config)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgProductRepository::Prepare),
      repository_(pool_),
      catalog_(repository_),
      api_(catalog_),
      server_({.listen_address = config_.grpc_address}) {
  server_.AddService(&api_);
  if (!config_.kafka_bootstrap_servers.empty()) {
    events::RelayOptions relay;
    relay.bootstrap_servers = config_.kafka_bootstrap_servers;
    relay.schema = "catalog";
    relay.client_id = "catalog-relay";
    relay_ = std::make_unique<events::OutboxRelay>(pool_, std::move(relay));
  }
}

App::~App() {
  if (relay_) relay_->Stop();
}

int App::Start() {
  {
    auto connection = pool_.Acquire();
    db::Migrate(*connection, "catalog", AllMigrations());
  }
  if (relay_) relay_->Start();
  return server_.Start();
}

void App::ServeUntil(rpc::TerminationSignals& signals) {
  server_.ServeUntil(signals);
  if (relay_) relay_->Stop();
}

void App::Shutdown() {
  server_.Shutdown();
  if (relay_) relay_->Stop();
}

}  // namespace storefront::catalog
