// One service's event machinery, composed once: the outbox relay that publishes what the service
// wrote to <schema>.outbox, and the consumer loop of the topics it reacts to. Both exist only
// when Kafka is configured; without it the service still writes its outbox rows (tests of the
// service alone) and nothing is published or consumed.
//
// The relay and the consumer draw on a small pool of their own (a bulkhead, db::Pool::Sibling),
// never on the pool that serves requests: a burst of requests cannot starve the events, and a
// stuck event cannot take the connections requests need.
//
// The App registers its handlers on consumer() before Start(). Stop() stops the consumer first
// (no new changes), then the relay, which may still publish what was written; a service with
// another background thread in between (shipping's ticker) calls StopConsumer() and StopRelay()
// around it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/consumer.h"
#include "shared/events/relay.h"

namespace storefront::events {

struct ServiceEventsOptions {
  std::string bootstrap_servers;  // empty: no relay, no consumer
  config::TlsSettings tls = {};   // the process's identity for the broker; none: plaintext
  std::string schema;             // whose outbox and inbox
  std::string name;               // consumer group "<name>", relay client id "<name>-relay"
  bool publishes = true;          // has an outbox to relay
  std::vector<std::string> consumes;  // topics; empty: no consumer
  std::string group_instance_id;      // this replica's static membership name (ConsumerOptions)
};

class ServiceEvents {
 public:
  ServiceEvents(db::Pool& pool, ServiceEventsOptions options);
  // Stops both.
  ~ServiceEvents();

  // Null without Kafka or without topics to consume.
  Consumer* consumer() { return consumer_.get(); }

  // The relay, then the consumer.
  void Start();
  // The consumer, then the relay. Idempotent.
  void Stop();
  void StopConsumer();
  void StopRelay();

  // Which of the shared tables a service adds to its own migrations.
  struct Tables {
    bool outbox = false;  // versions 900 and 902: the service publishes
    bool inbox = false;   // version 901: the service consumes
  };
  static std::vector<db::Migration> WithEventTables(std::vector<db::Migration> service_migrations, Tables tables);

 private:
  std::unique_ptr<db::Pool> pool_;  // the events' own connections; declared first, destroyed last
  std::unique_ptr<OutboxRelay> relay_;
  std::unique_ptr<Consumer> consumer_;
};

}  // namespace storefront::events
