#include "shared/events/service_events.h"

#include "shared/events/consumer.h"
#include "shared/events/outbox.h"

namespace storefront::events {

// One connection for the relay's pass, one for the consumer's event transaction, one for what
// either does beside it (parking a dead letter, pruning the inbox).
constexpr std::size_t kEventsPoolSize = 3;

ServiceEvents::ServiceEvents(db::Pool& pool, ServiceEventsOptions options) {
  if (options.bootstrap_servers.empty()) return;
  pool_ = pool.Sibling(kEventsPoolSize);
  if (options.publishes) {
    RelayOptions relay;
    relay.bootstrap_servers = options.bootstrap_servers;
    relay.tls = options.tls;
    relay.schema = options.schema;
    relay.client_id = options.name + "-relay";
    relay_ = std::make_unique<OutboxRelay>(*pool_, std::move(relay));
  }
  if (!options.consumes.empty()) {
    ConsumerOptions consumer;
    consumer.bootstrap_servers = options.bootstrap_servers;
    consumer.tls = options.tls;
    consumer.group_id = options.name;
    consumer.group_instance_id = options.group_instance_id;
    consumer.topics = std::move(options.consumes);
    consumer.schema = options.schema;
    consumer_ = std::make_unique<Consumer>(*pool_, std::move(consumer));
  }
}

ServiceEvents::~ServiceEvents() { Stop(); }

void ServiceEvents::Start() {
  if (relay_) relay_->Start();
  if (consumer_) consumer_->Start();
}

void ServiceEvents::Stop() {
  StopConsumer();
  StopRelay();
}

void ServiceEvents::StopConsumer() {
  if (consumer_) consumer_->Stop();
}

void ServiceEvents::StopRelay() {
  if (relay_) relay_->Stop();
}

std::vector<db::Migration> ServiceEvents::WithEventTables(std::vector<db::Migration> service_migrations,
                                                          Tables tables) {
  if (tables.outbox) {
    service_migrations.push_back(OutboxMigration());
    service_migrations.push_back(OutboxParkingAndVersionsMigration());
  }
  if (tables.inbox) {
    service_migrations.push_back(InboxMigration());
    service_migrations.push_back(ParkedEventsMigration());
  }
  return service_migrations;
}

}  // namespace storefront::events
