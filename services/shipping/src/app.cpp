#include "app.h"

#include "shared/events/outbox.h"
#include "shared/events/topics.h"

namespace storefront::shipping {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

namespace {

domain::Clock OrSystemClock(domain::Clock clock) {
  if (clock) return clock;
  return [] { return std::chrono::system_clock::now(); };
}

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
  config.grpc_address = env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:50056", /*allow_zero_port=*/true);
  config.database_url = env.Required("DATABASE_URL", "PostgreSQL connection string for the shipping role");
  config.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  config.kafka_bootstrap_servers = env.String("KAFKA_BOOTSTRAP_SERVERS", "");
  config.progression.dispatch =
      std::chrono::milliseconds(env.Int("SHIPPING_DISPATCH_DELAY_MS", 30'000, 0, 30LL * 24 * 3'600'000));
  config.progression.delivery =
      std::chrono::milliseconds(env.Int("SHIPPING_DELIVERY_DELAY_MS", 60'000, 0, 30LL * 24 * 3'600'000));
  config.progression_tick = std::chrono::milliseconds(env.Int("SHIPPING_TICK_MS", 1000, 10, 3'600'000));
  env.Validate();
  if (!config.kafka_bootstrap_servers.empty() && !IsBootstrapList(config.kafka_bootstrap_servers)) {
    throw config::ConfigError("KAFKA_BOOTSTRAP_SERVERS: must be host:port[,host:port...] or empty");
  }
  return config;
}

std::vector<db::Migration> AllMigrations() {
  std::vector<db::Migration> all = Migrations();
  all.push_back(events::OutboxMigration());
  all.push_back(events::InboxMigration());
  return all;
}

App::App(Config config, domain::Clock clock)
    : config_(std::move(config)),
      clock_(OrSystemClock(std::move(clock))),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgShipmentRepository::Prepare),
      repository_(pool_),
      shipping_(repository_, clock_, domain::SecureRandomDigits(), config_.progression),
      api_(shipping_),
      server_({.listen_address = config_.grpc_address}),
      order_handlers_(clock_, config_.progression),
      ticker_([this] { return shipping_.AdvanceDueShipments(clock_()); }, config_.progression_tick) {
  server_.AddService(&api_);
  if (!config_.kafka_bootstrap_servers.empty()) {
    events::RelayOptions relay;
    relay.bootstrap_servers = config_.kafka_bootstrap_servers;
    relay.schema = "shipping";
    relay.client_id = "shipping-relay";
    relay_ = std::make_unique<events::OutboxRelay>(pool_, std::move(relay));

    events::ConsumerOptions consumer;
    consumer.bootstrap_servers = config_.kafka_bootstrap_servers;
    consumer.group_id = "shipping";
    consumer.topics = {std::string(events::kOrderTopic)};
    consumer.schema = "shipping";
    consumer_ = std::make_unique<events::Consumer>(pool_, std::move(consumer));
    order_handlers_.RegisterOn(*consumer_);
  }
}

App::~App() { StopBackground(); }

int App::Start() {
  {
    auto connection = pool_.Acquire();
    db::Migrate(*connection, "shipping", AllMigrations());
  }
  if (relay_) relay_->Start();
  if (consumer_) consumer_->Start();
  ticker_.Start();
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

// The consumer first (no new changes), then the ticker, then the relay, which may still
// publish what they wrote.
void App::StopBackground() {
  if (consumer_) consumer_->Stop();
  ticker_.Stop();
  if (relay_) relay_->Stop();
}

}  // namespace storefront::shipping
