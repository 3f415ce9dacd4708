// The lifecycle every service runs, written once. A service's App builds its parts (pool,
// repositories, use cases, gRPC API, events, background tasks) and hands them to a Host, its
// last member, which then:
//
//   Start()       applies the migrations, starts the relay and the consumer, the background
//                 tasks, and finally serves gRPC; returns the bound port;
//   ServeUntil()  waits for SIGTERM or SIGINT, then shuts down;
//   Shutdown()    stops serving (health NOT_SERVING, in-flight calls drained), stops consuming,
//                 stops the background tasks, and stops the relay last so the events of the
//                 final changes still get their chance to go out. Idempotent; the destructor
//                 calls it, and as the App's last member the Host is destroyed first, while
//                 everything it stops still exists.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "shared/background/periodic_task.h"
#include "shared/config/service_settings.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/service_events.h"
#include "shared/rpc/server.h"

namespace storefront::service {

// The gRPC server every service runs from its common settings: its address, its certificate
// (null: plaintext, tests), the callers it grants, reflection when asked for.
rpc::ServerOptions ServerOptionsFor(const config::ServiceSettings& settings, std::shared_ptr<const rpc::Tls> tls,
                                    std::vector<rpc::Grant> callers);
// Its event machinery from the same settings: `name` is its schema (outbox, inbox), its consumer
// group and its relay's client id; it consumes `consumes` and, unless `publishes` is false, relays
// its outbox.
events::ServiceEventsOptions EventsOptionsFor(const config::ServiceSettings& settings, std::string name,
                                              std::vector<std::string> consumes, bool publishes = true);

struct HostParts {
  std::string schema;                     // the service's schema: where migrations are applied
  std::vector<db::Migration> migrations;  // its own, plus the shared event tables it uses
  db::Pool& pool;
  rpc::Server& server;                    // with the service's API already added
  events::ServiceEvents& events;          // its relay and consumer (inert without Kafka)
  std::vector<background::PeriodicTask*> tasks = {};  // sweepers, tickers, recovery loops
};

class Host {
 public:
  explicit Host(HostParts parts) : parts_(std::move(parts)) {}
  ~Host() { Shutdown(); }
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  int Start();
  void ServeUntil(rpc::TerminationSignals& signals);
  void Shutdown();

 private:
  HostParts parts_;
  std::mutex mutex_;
  bool stopped_ = false;
};

// What main() runs (service::Main): an App whose parts a Host runs derives from this and names
// its Host, which it declares last, so that the Host is destroyed first and shuts the parts down
// while they still exist.
class Hosted {
 public:
  virtual ~Hosted() = default;
  // Applies migrations, starts the background work (relay, consumer, sweepers, tickers) and
  // serving; returns the bound port.
  int Start() { return host().Start(); }
  // Serves until SIGTERM/SIGINT, then drains the server and stops the background work.
  void ServeUntil(rpc::TerminationSignals& signals) { host().ServeUntil(signals); }
  // Idempotent; also what destroying the App does.
  void Shutdown() { host().Shutdown(); }

 protected:
  virtual Host& host() = 0;
};

}  // namespace storefront::service
