// The checkout service's composition root: pool, migrations, order store, clients of the five
// services it orchestrates, the saga, its recovery loop and the gRPC server.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/checkout_api.h"
#include "clients/grpc_ports.h"
#include "domain/checkout.h"
#include "repo/pg_order_repository.h"
#include "shared/background/periodic_task.h"
#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/db/pool.h"
#include "shared/events/service_events.h"
#include "shared/rpc/server.h"

namespace storefront::checkout {

// The common settings (config::ServiceSettings; without KAFKA_BOOTSTRAP_SERVERS no relay or
// consumer runs, as in tests of the service alone) plus the saga's.
struct Config : config::ServiceSettings {
  std::string cart_address, catalog_address, inventory_address, payments_address, shipping_address;
  std::chrono::milliseconds upstream_timeout{3000};
  int reservation_ttl_seconds = 900;
  std::chrono::milliseconds saga_lease{15000};
  std::chrono::milliseconds recovery_interval{5000};

  static Config FromEnv(config::Env env);
};

class App {
 public:
  explicit App(Config config);
  ~App();
  // Applies migrations, starts serving and the recovery loop; returns the bound port.
  int Start();
  void ServeUntil(rpc::TerminationSignals& signals);
  void Shutdown();

 private:
  // One recovery pass: finishes or compensates sagas whose runner stopped (see domain/checkout.h).
  int RecoverAbandonedSagas();

  Config config_;
  db::Pool pool_;
  repo::PgOrderRepository orders_;
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
  domain::Checkout checkout_;
  api::CheckoutApi api_;
  rpc::Server server_;
  events::ServiceEvents events_;  // the relay and the consumer, with Kafka

  background::PeriodicTask recovery_{"checkout recovery", [this] { return RecoverAbandonedSagas(); },
                                     config_.recovery_interval};
  std::mutex mutex_;
  bool stopping_ = false;
};

}  // namespace storefront::checkout
