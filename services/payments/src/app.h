// The payments service's composition root: configuration, pool, migrations, repository, card
// processor, use cases, gRPC transport. main() only builds an App and runs it.
#pragma once

#include <memory>
#include <string>

#include "api/payments_api.h"
#include "domain/payments.h"
#include "processor/simulated_processor.h"
#include "repo/pg_payment_repository.h"
#include "shared/config/env.h"
#include "shared/db/pool.h"
#include "shared/rpc/server.h"

namespace storefront::payments {

struct Config {
  std::string grpc_address;
  std::string database_url;
  int db_pool_size = 8;
  std::string log_level;
  // Which CardProcessor adapter to use. Only "simulated" exists; a real gateway would be
  // another value here and another class beside processor/simulated_processor.
  std::string card_processor;

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

class App {
 public:
  explicit App(Config config);
  // Applies migrations and starts serving; returns the bound port.
  int Start();
  void ServeUntil(rpc::TerminationSignals& signals) { server_.ServeUntil(signals); }
  void Shutdown() { server_.Shutdown(); }

 private:
  Config config_;
  db::Pool pool_;
  repo::PgPaymentRepository repository_;
  processor::SimulatedProcessor processor_;
  domain::Payments payments_;
  api::PaymentsApi api_;
  rpc::Server server_;
};

}  // namespace storefront::payments
