// The checkout service's composition root: configuration, pool, order store, clients of the five
// services the saga orchestrates, the saga, its gRPC transport, the read model's event handlers,
// the outbox relay and consumer, and the recovery loop; service::Host runs their lifecycle.
// main() only builds an App and runs it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api/checkout_api.h"
#include "clients/grpc_ports.h"
#include "clients/saga_figures.h"
#include "consumers/payment_events.h"
#include "consumers/shipment_events.h"
#include "domain/checkout.h"
#include "repo/pg_order_repository.h"
#include "shared/background/periodic_task.h"
#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/service_events.h"
#include "shared/rpc/server.h"
#include "shared/service/host.h"

namespace storefront::checkout {

// The common settings (config::ServiceSettings; without KAFKA_BOOTSTRAP_SERVERS no relay or
// consumer runs, as in tests of the service alone) plus the saga's.
struct Config : config::ServiceSettings {
  std::string cart_address, catalog_address, inventory_address, payments_address, shipping_address;
  // The longest one call may take; less when the caller of the call being handled has less left.
  std::chrono::milliseconds upstream_timeout{3000};
  rpc::GuardSettings guard;  // each upstream's breaker and bulkhead
  int reservation_ttl_seconds = 900;
  std::chrono::milliseconds saga_lease{15000};
  std::chrono::milliseconds recovery_interval{5000};

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

// migrations/ plus the shared outbox (version 900: checkout publishes order events) and inbox
// (901: it consumes shipping's and payments' events).
std::vector<db::Migration> AllMigrations();

class App : public service::Hosted {
 public:
  explicit App(Config config);

 private:
  rpc::ClientOptions ClientOptionsFor(const std::string& target, const char* upstream);
  // One recovery pass: finishes or compensates sagas whose runner stopped (see domain/checkout.h).
  int RecoverAbandonedSagas();

  Config config_;
  std::shared_ptr<const rpc::Tls> tls_;  // this process's certificate; null: plaintext (tests)
  db::Pool pool_;
  repo::PgOrderRepository orders_;
  rpc::Guards guards_;  // a breaker and a bulkhead per upstream, shared by the saga and recovery
  rpc::Client<storefront::cart::v1::CartService> cart_client_;
  rpc::Client<storefront::catalog::v1::CatalogService> catalog_client_;
  rpc::Client<storefront::shipping::v1::ShippingService> shipping_client_;
  rpc::Client<storefront::inventory::v1::InventoryService> inventory_client_;
  rpc::Client<storefront::payments::v1::PaymentsService> payments_client_;
  clients::GrpcCart cart_;
  clients::GrpcCatalog catalog_;
  clients::GrpcShipping shipping_;
  clients::GrpcInventory inventory_;
  clients::GrpcPayments payments_;
  // The saga's figures and the trace a recovered saga continues (clients/saga_figures.h).
  std::unique_ptr<domain::SagaObserver> saga_observer_;
  domain::Checkout checkout_;
  api::CheckoutApi api_;
  rpc::Server server_;
  consumers::ShipmentEventHandlers shipment_events_;
  consumers::PaymentEventHandlers payment_events_;
  // The relay and the consumer, with Kafka. Declared after the pool and the handlers, so it is
  // destroyed (stopped and joined) before them.
  events::ServiceEvents events_;
  background::PeriodicTask recovery_;
  // Last: destroyed first, it shuts everything above down while it still exists.
  service::Host host_;

  service::Host& host() override { return host_; }
};

}  // namespace storefront::checkout
