#include "app.h"

namespace storefront::catalog {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

Config Config::FromEnv(config::Env env) {
  Config config{config::ReadServiceSettings(env, "catalog", 50051)};
  env.Validate();
  return config;
}

std::vector<db::Migration> AllMigrations() {
  return events::ServiceEvents::WithEventTables(Migrations(), {.outbox = true});
}

namespace {

constexpr const char* kCatalog = "storefront.catalog.v1.CatalogService";

// Who may call this service, by the name in the caller's certificate (rpc::Grant): the gateway
// (the shop's pages and the operator's catalog), the cart (a product's price and state as it is
// added) and checkout (the prices of an order).
const std::vector<rpc::Grant> kCallers = {
    {"gateway", kCatalog,
     {"ListProducts", "GetProduct", "ListCategories", "CreateProduct", "UpdateProduct", "DeactivateProduct"}},
    {"cart", kCatalog, {"GetProduct"}},
    {"checkout", kCatalog, {"BatchGetProducts"}}};

}  // namespace

App::App(Config config)
    : config_(std::move(config)),
      tls_(rpc::Tls::Load(config_.tls)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgProductRepository::Prepare),
      repository_(pool_),
      catalog_(repository_),
      api_(catalog_),
      server_(service::ServerOptionsFor(config_, tls_, kCallers)),
      // The catalog publishes its product events and consumes none.
      events_(pool_, service::EventsOptionsFor(config_, "catalog", {})),
      host_({.schema = "catalog", .migrations = AllMigrations(), .pool = pool_, .server = server_, .events = events_}) {
  server_.AddService(&api_);
}

}  // namespace storefront::catalog
