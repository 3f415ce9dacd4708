#include "app.h"

#include "repo/order_events.h"
#include "shared/events/outbox.h"
#include "shared/events/topics.h"

namespace storefront::cart {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

std::vector<db::Migration> AllMigrations() {
  auto migrations = Migrations();
  migrations.push_back(events::InboxMigration());
  return migrations;
}

namespace {

// Each comma-separated broker must be host:port; returns the problem, or "" when there is none.
std::string CheckBrokers(const std::string& brokers) {
  if (brokers.empty()) return "";
  std::size_t start = 0;
  while (true) {
    const auto end = brokers.find(',', start);
    const auto broker = brokers.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const auto parts = config::SplitHostPort(broker);
    if (!parts || parts->second == 0) {
      return "KAFKA_BOOTSTRAP_SERVERS must be host:port[,host:port...] or empty, got '" + brokers.substr(0, 200) + "'";
    }
    if (end == std::string::npos) return "";
    start = end + 1;
  }
}

}  // namespace

Config Config::FromEnv(config::Env env) {
  Config config;
  config.grpc_address = env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:50052", /*allow_zero_port=*/true);
  config.database_url = env.Required("DATABASE_URL", "PostgreSQL connection string for the cart role");
  config.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  config.catalog_address = env.HostPort("CATALOG_ADDR", "127.0.0.1:50051");
  config.catalog_timeout = std::chrono::milliseconds(env.Int("CATALOG_TIMEOUT_MS", 2000, 10, 60000));
  config.kafka_bootstrap_servers = env.String("KAFKA_BOOTSTRAP_SERVERS", "");
  // Env has no list type; the broker problem joins Env's in the same single message.
  const std::string brokers_problem = CheckBrokers(config.kafka_bootstrap_servers);
  try {
    env.Validate();
  } catch (const config::ConfigError& error) {
    if (brokers_problem.empty()) throw;
    throw config::ConfigError(std::string(error.what()) + "\n  - " + brokers_problem);
  }
  if (!brokers_problem.empty()) throw config::ConfigError("invalid configuration:\n  - " + brokers_problem);
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
    db::Migrate(*connection, "cart", AllMigrations());
  }
  if (!config_.kafka_bootstrap_servers.empty()) {
    events::ConsumerOptions consumer;
    consumer.bootstrap_servers = config_.kafka_bootstrap_servers;
    consumer.group_id = "cart";
    consumer.topics = {std::string(events::kOrderTopic)};
    consumer.schema = "cart";
    consumer_ = std::make_unique<events::Consumer>(pool_, std::move(consumer));
    repo::RegisterOrderHandlers(*consumer_);
    consumer_->Start();
  }
  return server_.Start();
}

void App::ServeUntil(rpc::TerminationSignals& signals) {
  server_.ServeUntil(signals);
  if (consumer_) consumer_->Stop();
}

void App::Shutdown() {
  server_.Shutdown();
  if (consumer_) consumer_->Stop();
}

}  // namespace storefront::cart
