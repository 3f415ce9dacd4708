#include "app.h"

#include "shared/events/topics.h"
#include "shared/rpc/guard_settings.h"

namespace storefront::checkout {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

Config Config::FromEnv(config::Env env) {
  Config c{config::ReadServiceSettings(env, "checkout", 50053)};
  c.cart_address = env.GrpcTarget("CART_ADDR", "127.0.0.1:50052");
  c.catalog_address = env.GrpcTarget("CATALOG_ADDR", "127.0.0.1:50051");
  c.payments_address = env.GrpcTarget("PAYMENTS_ADDR", "127.0.0.1:50054");
  c.inventory_address = env.GrpcTarget("INVENTORY_ADDR", "127.0.0.1:50055");
  c.shipping_address = env.GrpcTarget("SHIPPING_ADDR", "127.0.0.1:50056");
  c.upstream_timeout = std::chrono::milliseconds(env.Int("UPSTREAM_TIMEOUT_MS", 3000, 10, 60000));
  c.guard = rpc::ReadGuardSettings(env);
  c.reservation_ttl_seconds = static_cast<int>(env.Int("RESERVATION_TTL_SECONDS", 900, 1, 3600));
  c.saga_lease = std::chrono::milliseconds(env.Int("SAGA_LEASE_MS", 15000, 100, 600000));
  c.recovery_interval = std::chrono::milliseconds(env.Int("RECOVERY_INTERVAL_MS", 5000, 50, 600000));
  // A runner renews its lease at every step, so the lease must outlast the longest call it waits
  // on: a shorter one lets recovery take over sagas whose calls are merely slow, fencing their
  // runners off mid-call.
  if (c.saga_lease <= c.upstream_timeout) {
    env.Problem("SAGA_LEASE_MS (" + std::to_string(c.saga_lease.count()) + ") must be longer than UPSTREAM_TIMEOUT_MS (" +
                std::to_string(c.upstream_timeout.count()) + "), the longest call a saga step waits for");
  }
  env.Validate();
  return c;
}

std::vector<db::Migration> AllMigrations() {
  return events::ServiceEvents::WithEventTables(Migrations(), {.outbox = true, .inbox = true});
}

namespace {

constexpr const char* kCheckout = "storefront.checkout.v1.CheckoutService";

// Who may call this service, by the name in the caller's certificate (rpc::Grant): the gateway
// alone (orders placed, shown, cancelled and refunded, the sales report).
const std::vector<rpc::Grant> kCallers = {{"gateway", kCheckout, {"*"}}};

}  // namespace

rpc::ClientOptions App::ClientOptionsFor(const std::string& target, const char* upstream) {
  return {.target = target, .upstream = upstream, .tls = tls_, .timeout = config_.upstream_timeout, .guards = &guards_};
}

App::App(Config config)
    : config_(std::move(config)),
      tls_(rpc::Tls::Load(config_.tls)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size)),
      orders_(pool_),
      guards_(config_.guard),
      cart_client_(ClientOptionsFor(config_.cart_address, "cart")),
      catalog_client_(ClientOptionsFor(config_.catalog_address, "catalog")),
      shipping_client_(ClientOptionsFor(config_.shipping_address, "shipping")),
      inventory_client_(ClientOptionsFor(config_.inventory_address, "inventory")),
      payments_client_(ClientOptionsFor(config_.payments_address, "payments")),
      cart_(cart_client_),
      catalog_(catalog_client_),
      shipping_(shipping_client_),
      inventory_(inventory_client_),
      payments_(payments_client_),
      saga_observer_(std::make_unique<clients::SagaFigures>()),
      checkout_(orders_, cart_, catalog_, shipping_, inventory_, payments_,
                {config_.reservation_ttl_seconds, config_.saga_lease}, types::SystemNow, saga_observer_.get()),
      api_(checkout_),
      server_(service::ServerOptionsFor(config_, tls_, kCallers)),
      events_(pool_, service::EventsOptionsFor(config_, "checkout", {std::string(events::kShipmentTopic), std::string(events::kPaymentTopic)})),
      recovery_("checkout recovery", [this] { return RecoverAbandonedSagas(); }, config_.recovery_interval),
      host_({.schema = "checkout",
             .migrations = AllMigrations(),
             .pool = pool_,
             .server = server_,
             .events = events_,
             .tasks = {&recovery_}}) {
  server_.AddService(&api_);
  if (auto* consumer = events_.consumer()) {
    shipment_events_.RegisterOn(*consumer);
    payment_events_.RegisterOn(*consumer);
  }
}

int App::RecoverAbandonedSagas() {
  // Bounded, so a shutdown waits for at most this many sagas; the next pass takes the rest.
  constexpr int kMaxPerPass = 100;
  int recovered = 0;
  while (recovered < kMaxPerPass && checkout_.RecoverOne()) ++recovered;
  return recovered;
}

}  // namespace storefront::checkout
