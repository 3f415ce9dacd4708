#include "app.h"

#include "shared/events/topics.h"

namespace storefront::inventory {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

std::vector<db::Migration> AllMigrations() {
  return events::ServiceEvents::WithEventTables(Migrations(), {.outbox = true, .inbox = true});
}

Config Config::FromEnv(config::Env env) {
  Config config{config::ReadServiceSettings(env, "inventory", 50055)};
  config.reservation_sweep_interval =
      std::chrono::milliseconds(env.Int("RESERVATION_SWEEP_INTERVAL_MS", 5000, 10, 3'600'000));
  env.Validate();
  return config;
}

namespace {

constexpr const char* kInventory = "storefront.inventory.v1.InventoryService";

// Who may call this service, by the name in the caller's certificate (rpc::Grant): the gateway
// (the operator's stock pages and adjustments) and checkout (an order's reservation).
const std::vector<rpc::Grant> kCallers = {
    {"gateway", kInventory, {"GetStockLevels", "ListStockLevels", "ListLowStock", "ListAdjustments", "AdjustStock"}},
    {"checkout", kInventory, {"ReserveStock", "CommitReservation", "ReleaseReservation"}}};

}  // namespace

App::App(Config config, domain::Clock clock)
    : config_(std::move(config)),
      tls_(rpc::Tls::Load(config_.tls)),
      clock_(std::move(clock)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgInventoryRepository::Prepare),
      repository_(pool_),
      inventory_(repository_, clock_),
      api_(inventory_),
      server_(service::ServerOptionsFor(config_, tls_, kCallers)),
      order_events_(clock_),
      events_(pool_, service::EventsOptionsFor(config_, "inventory", {std::string(events::kOrderTopic)})),
      sweeper_("reservation expiry sweep", [this] { return inventory_.ExpireDueReservations(); },
               config_.reservation_sweep_interval),
      host_({.schema = "inventory",
             .migrations = AllMigrations(),
             .pool = pool_,
             .server = server_,
             .events = events_,
             .tasks = {&sweeper_}}) {
  server_.AddService(&api_);
  if (auto* consumer = events_.consumer()) order_events_.RegisterOn(*consumer);
}

}  // namespace storefront::inventory
