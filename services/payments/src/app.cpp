#include "app.h"

#include "shared/events/topics.h"

namespace storefront::payments {

const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time

Config Config::FromEnv(config::Env env) {
  Config config{config::ReadServiceSettings(env, "payments", 50054)};
  config.card_processor = env.OneOf("CARD_PROCESSOR", "simulated", {"simulated"});
  config.processor_sweep_interval =
      std::chrono::milliseconds(env.Int("PROCESSOR_SWEEP_INTERVAL_MS", 1000, 10, 3'600'000));
  config.processor_intent_lease =
      std::chrono::milliseconds(env.Int("PROCESSOR_INTENT_LEASE_MS", 30000, 1000, 3'600'000));
  config.card_decline_limit = static_cast<int>(env.Int("CARD_DECLINE_LIMIT", 5, 0, 1000));
  config.card_decline_window = std::chrono::seconds(env.Int("CARD_DECLINE_WINDOW_SECONDS", 3600, 1, 7 * 86400));
  env.Validate();
  return config;
}

std::vector<db::Migration> AllMigrations() {
  return events::ServiceEvents::WithEventTables(Migrations(), {.outbox = true, .inbox = true});
}

namespace {

constexpr const char* kPayments = "storefront.payments.v1.PaymentsService";

// Who may call this service, by the name in the caller's certificate (rpc::Grant): checkout alone,
// which authorizes an order's payment, voids or refunds it and reads it back. Nothing calls
// Capture: a capture follows shipping's ShipmentDispatched event.
const std::vector<rpc::Grant> kCallers = {{"checkout", kPayments, {"Authorize", "Void", "Refund", "ListPayments"}}};

}  // namespace

App::App(Config config)
    : config_(std::move(config)),
      tls_(rpc::Tls::Load(config_.tls)),
      pool_(config_.database_url, static_cast<std::size_t>(config_.db_pool_size), std::chrono::seconds(5),
            repo::PgPaymentRepository::Prepare),
      repository_(pool_),
      processor_books_(pool_),
      processor_(processor_books_),
      payments_(repository_, processor_, types::SystemNow, types::NewUuid,
                {.intent_lease = config_.processor_intent_lease,
                 .decline_limit = config_.card_decline_limit,
                 .decline_window = config_.card_decline_window}),
      api_(payments_),
      server_(service::ServerOptionsFor(config_, tls_, kCallers)),
      order_events_(processor_),
      shipment_events_(processor_),
      events_(pool_, service::EventsOptionsFor(config_, "payments", {std::string(events::kShipmentTopic), std::string(events::kOrderTopic)})),
      sweeper_("processor intent sweep", [this] { return payments_.ResolveDueIntents(); },
               config_.processor_sweep_interval),
      host_({.schema = "payments",
             .migrations = AllMigrations(),
             .pool = pool_,
             .server = server_,
             .events = events_,
             .tasks = {&sweeper_}}) {
  server_.AddService(&api_);
  if (auto* consumer = events_.consumer()) {
    shipment_events_.RegisterOn(*consumer);
    order_events_.RegisterOn(*consumer);
  }
}

}  // namespace storefront::payments
