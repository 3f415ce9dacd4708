#include "app.h"

#include "shared/events/outbox.h"
#include "shared/events/topics.h"

namespace storefront::inventory {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

std::vector<db::Migration> AllMigrations() {
  auto migrations = Migrations();
  migrations.push_back(events::OutboxMigration());
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
  config.grpc_address = env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:50055", /*allow_zero_port=*/true);
  config.database_url = env.Required("DATABASE_URL", "PostgreSQL connection string for the inventory role");
  config.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  config.reservation_sweep_interval =
      std::chrono::milliseconds(env.Int("RESERVATION_SWEEP_INTERVAL_MS", 5000, 10, 3'600'000));
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

App::App(Config config, domain::Clock clock)
    : config_(std::move(config)),
      clock_(std::move(clock)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgInventoryRepository::Prepare),
      repository_(pool_),
      inventory_(repository_, clock_),
      api_(inventory_),
      server_({.listen_address = config_.grpc_address}),
      order_events_(clock_),
      sweeper_([this] { return inventory_.ExpireDueReservations(); }, config_.reservation_sweep_interval) {
  server_.AddService(&api_);
}

int App::Start() {
  {
    auto connection = pool_.Acquire();
    db::Migrate(*connection, "inventory", AllMigrations());
  }
  sweeper_.Start();
  if (!config_.kafka_bootstrap_servers.empty()) {
    events::RelayOptions relay;
    relay.bootstrap_servers = config_.kafka_bootstrap_servers;
    relay.schema = "inventory";
    relay.client_id = "inventory-relay";
    relay_ = std::make_unique<events::OutboxRelay>(pool_, std::move(relay));
    relay_->Start();

    events::ConsumerOptions consumer;
    consumer.bootstrap_servers = config_.kafka_bootstrap_servers;
    consumer.group_id = "inventory";
    consumer.topics = {std::string(events::kOrderTopic)};
    consumer.schema = "inventory";
    consumer_ = std::make_unique<events::Consumer>(pool_, std::move(consumer));
    order_events_.RegisterWith(*consumer_);
    consumer_->Start();
  }
  return server_.Start();
}

void App::ServeUntil(rpc::TerminationSignals& signals) {
  server_.ServeUntil(signals);
  StopBackground();
}

void App::Shutdown() {
  server_.Shutdown();
  StopBackground();
}

void App::StopBackground() {
  sweeper_.Stop();
  if (consumer_) consumer_->Stop();
  // Last, so the events of the final changes still get their chance to go out.
  if (relay_) relay_->Stop();
}

}  // namespace storefront::inventory
