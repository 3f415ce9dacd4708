#include "app.h"

#include "shared/rpc/guard_settings.h"

#include "shared/events/topics.h"

namespace storefront::cart {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

std::vector<db::Migration> AllMigrations() {
  return events::ServiceEvents::WithEventTables(Migrations(), {.inbox = true});
}

Config Config::FromEnv(config::Env env) {
  Config config{config::ReadServiceSettings(env, "cart", 50052)};
  config.catalog_address = env.GrpcTarget("CATALOG_ADDR", "127.0.0.1:50051");
  config.catalog_timeout = std::chrono::milliseconds(env.Int("CATALOG_TIMEOUT_MS", 2000, 10, 60000));
  config.guard = rpc::ReadGuardSettings(env);
  env.Validate();
  return config;
}

namespace {

constexpr const char* kCart = "storefront.cart.v1.CartService";

// Who may call this service, by the name in the caller's certificate (rpc::Grant): the gateway
// (the shopper's cart) and checkout (the cart it turns into an order).
const std::vector<rpc::Grant> kCallers = {
    {"gateway", kCart, {"GetCart", "AddItem", "UpdateItemQuantity", "RemoveItem", "ClearCart"}},
    {"checkout", kCart, {"GetCart"}}};

}  // namespace

App::App(Config config)
    : config_(std::move(config)),
      tls_(rpc::Tls::Load(config_.tls)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgCartRepository::Prepare),
      repository_(pool_),
      guards_(config_.guard),
      // The channel connects in the background: the cart starts (and serves GetCart) while the catalog is down.
      catalog_(clients::CatalogClient(rpc::ClientOptions{.target = config_.catalog_address,
                                                         .upstream = "catalog",
                                                         .tls = tls_,
                                                         .timeout = config_.catalog_timeout,
                                                         .guards = &guards_})),
      carts_(repository_, catalog_),
      api_(carts_),
      server_(service::ServerOptionsFor(config_, tls_, kCallers)),
      order_events_(catalog_),
      events_(pool_, service::EventsOptionsFor(config_, "cart", {std::string(events::kOrderTopic)}, /*publishes=*/false)),
      host_({.schema = "cart", .migrations = AllMigrations(), .pool = pool_, .server = server_, .events = events_}) {
  server_.AddService(&api_);
  if (auto* consumer = events_.consumer()) order_events_.RegisterOn(*consumer);
}

}  // namespace storefront::cart
