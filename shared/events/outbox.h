// The transactional outbox: a service that changes state and announces it writes the event
// into <schema>.outbox in the SAME database transaction as the change. Either both happen or
// neither; the relay (relay.h) publishes the rows to Kafka afterwards, so an event is never
// lost when the broker is away and never announced for a change that rolled back.
#pragma once

#include <google/protobuf/message.h>
#include <pqxx/pqxx>

#include <cstdint>
#include <string>
#include <vector>

#include "shared/db/migrations.h"

namespace storefront::events {

struct OutgoingEvent {
  std::string topic;           // from topics.h
  std::string event_type;      // "storefront.checkout.order.confirmed.v1"
  std::string aggregate_type;  // "order"
  std::string aggregate_id;    // the Kafka key
  const google::protobuf::Message* payload = nullptr;
  std::string traceparent;  // W3C trace context of the request that caused it, if any
  std::int64_t aggregate_version = 0;  // 1, 2, 3... per aggregate when the service counts them
};

// Appends the event (as a storefront.events.v1.EventEnvelope) to <schema>.outbox within `txn`.
// Returns the new event id (UUID). Throws std::invalid_argument when topic, event_type,
// aggregate_id or payload is missing.
std::string Append(pqxx::transaction_base& txn, const std::string& schema, const std::string& producer,
                   const OutgoingEvent& event);

// The shared tables every publishing / consuming service adds to its own migrations:
//   outbox (id bigserial, event_id uuid, topic, key, event_type, envelope bytea, created_at,
//           sent_at, attempts, last_error)
//   inbox  (event_id uuid primary key, event_type, topic, partition, "offset", processed_at)
// Versions 900 and 901 are reserved for them in every service.
db::Migration OutboxMigration();
db::Migration InboxMigration();

}  // namespace storefront::events
