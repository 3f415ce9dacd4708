#include "app.h"

#include "shared/events/topics.h"

namespace storefront::shipping {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

Config Config::FromEnv(config::Env env) {
  Config config{config::ReadServiceSettings(env, "shipping", 50056)};
  config.progression.dispatch =
      std::chrono::milliseconds(env.Int("SHIPPING_DISPATCH_DELAY_MS", 30'000, 0, 30LL * 24 * 3'600'000));
  config.progression.delivery =
      std::chrono::milliseconds(env.Int("SHIPPING_DELIVERY_DELAY_MS", 60'000, 0, 30LL * 24 * 3'600'000));
  config.progression_tick = std::chrono::milliseconds(env.Int("SHIPPING_TICK_MS", 1000, 10, 3'600'000));
  env.Validate();
  return config;
}

std::vector<db::Migration> AllMigrations() {
  return events::ServiceEvents::WithEventTables(Migrations(), {.outbox = true, .inbox = true});
}

namespace {

constexpr const char* kShipping = "storefront.shipping.v1.ShippingService";

// Who may call this service, by the name in the caller's certificate (rpc::Grant): the gateway
// (quotes for the cart page, the operator's shipments) and checkout (an order's quote and
// shipment).
const std::vector<rpc::Grant> kCallers = {
    {"gateway", kShipping, {"GetQuotes", "ListShipments", "AdvanceShipment"}},
    {"checkout", kShipping, {"GetQuotes", "CreateShipment", "CancelShipment"}}};

}  // namespace

App::App(Config config, domain::Clock clock)
    : config_(std::move(config)),
      tls_(rpc::Tls::Load(config_.tls)),
      clock_(std::move(clock)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgShipmentRepository::Prepare),
      repository_(pool_),
      shipping_(repository_, clock_, domain::SecureRandomDigits(), config_.progression),
      api_(shipping_),
      server_(service::ServerOptionsFor(config_, tls_, kCallers)),
      order_handlers_(clock_, config_.progression),
      events_(pool_, service::EventsOptionsFor(config_, "shipping", {std::string(events::kOrderTopic)})),
      ticker_("shipment progression", [this] { return shipping_.AdvanceDueShipments(clock_()); },
              config_.progression_tick),
      host_({.schema = "shipping",
             .migrations = AllMigrations(),
             .pool = pool_,
             .server = server_,
             .events = events_,
             .tasks = {&ticker_}}) {
  server_.AddService(&api_);
  if (auto* consumer = events_.consumer()) order_handlers_.RegisterOn(*consumer);
}

}  // namespace storefront::shipping
