// The shipping service's composition root: configuration, pool, repository, use cases (with the
// real clock and random source), gRPC transport, and the event machinery: the outbox relay, the
// consumer of checkout's order events and the progression ticker. The lifecycle (migrate, start,
// serve, shut down) is the shared service::Host's; main() only builds an App and runs it.
#pragma once

#include <chrono>
#include <vector>

#include "api/shipping_api.h"
#include "consumers/order_events.h"
#include "domain/shipping.h"
#include "repo/pg_shipment_repository.h"
#include "shared/background/periodic_task.h"
#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/service_events.h"
#include "shared/rpc/server.h"
#include "shared/service/host.h"
#include "shared/types/time.h"

namespace storefront::shipping {

// The common settings (config::ServiceSettings) plus the progression's. Without
// KAFKA_BOOTSTRAP_SERVERS no relay and no consumer run (events still go to the outbox), as in
// tests of the service alone.
struct Config : config::ServiceSettings {
  domain::ProgressionDelays progression;
  std::chrono::milliseconds progression_tick{1000};

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

// migrations/ plus the shared outbox and inbox tables (versions 900 and 901).
std::vector<db::Migration> AllMigrations();

class App : public service::Hosted {
 public:
  // `clock` is the time shipments are stamped and progressed with; tests pass their own.
  explicit App(Config config, domain::Clock clock = types::SystemNow);

 private:
  Config config_;
  std::shared_ptr<const rpc::Tls> tls_;  // this process's certificate; null: plaintext (tests)
  domain::Clock clock_;
  db::Pool pool_;
  repo::PgShipmentRepository repository_;
  domain::Shipping shipping_;
  api::ShippingApi api_;
  rpc::Server server_;
  consumers::OrderEventHandlers order_handlers_;
  events::ServiceEvents events_;
  background::PeriodicTask ticker_;
  // Last: destroyed first, so it shuts down everything above while it still exists.
  service::Host host_;

  service::Host& host() override { return host_; }
};

}  // namespace storefront::shipping
