// The payments service's composition root: configuration, pool, migrations, repository, card
// processor (with its books), use cases, gRPC transport, the event machinery (the outbox relay
// and the consumer of shipping's and checkout's events) and the sweeper of processor intents;
// service::Host runs their lifecycle. main() only builds an App and runs it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/payments_api.h"
#include "clients/simulated_card_processor.h"
#include "consumers/order_events.h"
#include "consumers/shipment_events.h"
#include "domain/payments.h"
#include "repo/pg_payment_repository.h"
#include "shared/background/periodic_task.h"
#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/service_events.h"
#include "shared/rpc/server.h"
#include "shared/service/host.h"

namespace storefront::payments {

// The common settings (config::ServiceSettings) plus the card processor. Without
// KAFKA_BOOTSTRAP_SERVERS no relay and no consumer run (events still go to the outbox), as in
// tests of the service alone.
struct Config : config::ServiceSettings {
  // Which CardProcessor adapter to use. Only "simulated" exists; a real gateway would be
  // another value here and another class beside clients/simulated_card_processor.
  std::string card_processor = {};
  // How often the sweeper looks for processor intents to carry out or resolve
  // (PROCESSOR_SWEEP_INTERVAL_MS): the delay of the captures, voids and refunds the event
  // handlers record.
  std::chrono::milliseconds processor_sweep_interval{1000};
  // How long a request owns the intent it recorded before the sweeper takes it over
  // (PROCESSOR_INTENT_LEASE_MS); must exceed the processor adapter's longest call.
  std::chrono::milliseconds processor_intent_lease{30000};
  // Card testing: declines per customer within the window before Authorize declines by itself.
  int card_decline_limit = 5;
  std::chrono::seconds card_decline_window{3600};

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

// migrations/ plus the shared outbox and inbox tables (versions 900 and 901).
std::vector<db::Migration> AllMigrations();

class App : public service::Hosted {
 public:
  explicit App(Config config);

 private:
  Config config_;
  std::shared_ptr<const rpc::Tls> tls_;  // this process's certificate; null: plaintext (tests)
  db::Pool pool_;
  repo::PgPaymentRepository repository_;
  clients::PgProcessorBooks processor_books_;  // the simulated processor's side, not payments'
  clients::SimulatedCardProcessor processor_;
  domain::Payments payments_;
  api::PaymentsApi api_;
  rpc::Server server_;
  consumers::OrderEventHandlers order_events_;
  consumers::ShipmentEventHandlers shipment_events_;
  // The relay and the consumer, with Kafka. Declared after the pool, so they are destroyed
  // (stopped and joined) before it.
  events::ServiceEvents events_;
  // Carries out the intents the event handlers record and resolves those a crash left behind.
  background::PeriodicTask sweeper_;
  // Last: destroyed first, it shuts everything above down while it still exists.
  service::Host host_;

  service::Host& host() override { return host_; }
};

}  // namespace storefront::payments
