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
  // W3C trace context of what caused it; empty: the context current on this thread (the request
  // or event being handled), if any (shared/trace/context.h).
  std::string traceparent;
  // 0: Append assigns the next version of (aggregate_type, aggregate_id), see below. Anything
  // else is the caller's own count and is kept.
  std::int64_t aggregate_version = 0;
};

// Appends the event (as a storefront.events.v1.EventEnvelope) to <schema>.outbox within `txn`.
// Returns the new event id (UUID). Throws std::invalid_argument when topic, event_type,
// aggregate_id or payload is missing.
//
// Versions: with aggregate_version 0 the envelope gets 1, 2, 3, ... per (aggregate_type,
// aggregate_id) and per schema (one producer), counted in <schema>.outbox_versions by an UPSERT
// in `txn`. The counter row stays locked until `txn` ends, so concurrent appends for one
// aggregate get distinct versions in commit order, and a rolled-back append leaves no gap.
// Pruning the outbox does not reset it. An explicit version is kept and raises the counter to at
// least that value, so later automatic versions stay above it. A transaction that appends for
// several aggregates locks their counters in the order it appends: take the aggregates' own rows
// in a fixed order first (as it must anyway to avoid deadlocks on them).
std::string Append(pqxx::transaction_base& txn, const std::string& schema, const std::string& producer,
                   const OutgoingEvent& event);

// What the relay has yet to do, for operators (README.md, "The relay's rules", Parking):
//   pending: unsent rows the relay will publish;
//   parked:  rows Kafka refused for good (RelayOptions::max_refusals); the relay skips them
//            until an operator un-parks or deletes them;
//   held:    unsent rows queued behind a parked row of the same key, kept back so that they do
//            not overtake it.
struct OutboxBacklog {
  std::int64_t pending = 0;
  std::int64_t parked = 0;
  std::int64_t held = 0;
};
OutboxBacklog ReadOutboxBacklog(pqxx::transaction_base& txn, const std::string& schema);

// Un-parks row `id` after its cause was fixed (the topic created, the limit raised): its refusals
// start again from zero and the relay publishes it on its next pass, then the rows held behind
// it. False when the row is not parked.
bool UnparkOutboxRow(pqxx::transaction_base& txn, const std::string& schema, std::int64_t id);

// The shared tables every publishing / consuming service adds to its own migrations:
//   900 outbox (id bigserial, event_id uuid, topic, key, event_type, envelope bytea, created_at,
//               sent_at, attempts, last_error)
//   901 inbox  (event_id uuid primary key, event_type, topic, partition, "offset", processed_at)
//   902 outbox: parked_at and refusals (parking), indexes for the relay's selection and for
//       pruning; outbox_versions (aggregate_type, aggregate_id, version) for Append
// Versions 900 and up are reserved for the shared tables in every service (910 is the consumer's
// parked_events, consumer.h); a service that publishes needs 900 and 902
// (ServiceEvents::WithEventTables adds both).
db::Migration OutboxMigration();
db::Migration InboxMigration();
db::Migration OutboxParkingAndVersionsMigration();

}  // namespace storefront::events
