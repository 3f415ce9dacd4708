#include "shared/events/outbox.h"

#include <chrono>
#include <stdexcept>

#include "shared/db/statement.h"
#include "shared/trace/context.h"
#include "shared/types/uuid.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::events {
namespace {

// The envelope's aggregate_version: the caller's, or the next of the aggregate's counter.
std::int64_t AggregateVersion(pqxx::transaction_base& txn, const std::string& schema, const OutgoingEvent& event) {
  const std::string upsert = "INSERT INTO " + txn.quote_name(schema) +
                             ".outbox_versions AS v (aggregate_type, aggregate_id, version) VALUES ($1, $2, $3)"
                             " ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET version = ";
  if (event.aggregate_version != 0) {
    db::Exec(txn, upsert + "GREATEST(v.version, EXCLUDED.version)", event.aggregate_type, event.aggregate_id,
                  event.aggregate_version);
    return event.aggregate_version;
  }
  return db::Exec(txn, upsert + "v.version + 1 RETURNING v.version", event.aggregate_type, event.aggregate_id, 1)[0][0]
      .as<std::int64_t>();
}

}  // namespace

std::string Append(pqxx::transaction_base& txn, const std::string& schema, const std::string& producer,
                   const OutgoingEvent& event) {
  if (event.topic.empty()) throw std::invalid_argument("outbox event: topic is required");
  if (event.event_type.empty()) throw std::invalid_argument("outbox event: event_type is required");
  // The aggregate id is the Kafka key: without it one aggregate's events could be reordered.
  if (event.aggregate_id.empty()) throw std::invalid_argument("outbox event: aggregate_id is required");
  if (event.payload == nullptr) throw std::invalid_argument("outbox event: payload is required");

  v1::EventEnvelope envelope;
  envelope.set_event_id(types::NewUuid());
  envelope.set_event_type(event.event_type);
  envelope.set_aggregate_type(event.aggregate_type);
  envelope.set_aggregate_id(event.aggregate_id);
  envelope.set_aggregate_version(AggregateVersion(txn, schema, event));
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  envelope.mutable_occurred_at()->set_seconds(seconds.count());
  envelope.mutable_occurred_at()->set_nanos(
      static_cast<int>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count()));
  // The trace of the request or event being handled, so the consumers' spans join it.
  const trace::SpanContext* current = trace::Current();
  envelope.mutable_trace()->set_traceparent(!event.traceparent.empty() ? event.traceparent
                                            : current != nullptr     ? current->Traceparent()
                                                                     : std::string());
  envelope.set_producer(producer);
  envelope.set_payload(event.payload->SerializeAsString());
  envelope.set_payload_type(event.payload->GetDescriptor()->full_name());

  db::Exec(txn, "INSERT INTO " + txn.quote_name(schema) +
                    ".outbox (event_id, topic, key, event_type, envelope) VALUES ($1::uuid, $2, $3, $4, $5)",
                envelope.event_id(), event.topic, event.aggregate_id, event.event_type,
                pqxx::binarystring(envelope.SerializeAsString()));
  return envelope.event_id();
}

OutboxBacklog ReadOutboxBacklog(pqxx::transaction_base& txn, const std::string& schema) {
  const std::string table = txn.quote_name(schema) + ".outbox";
  const auto row = txn.exec(
      "SELECT count(*) FILTER (WHERE parked_at IS NULL AND NOT held),"
      "       count(*) FILTER (WHERE parked_at IS NOT NULL),"
      "       count(*) FILTER (WHERE parked_at IS NULL AND held)"
      "  FROM (SELECT o.parked_at,"
      "               EXISTS (SELECT 1 FROM " + table + " p"
      "                        WHERE p.parked_at IS NOT NULL AND p.key = o.key AND p.id < o.id) AS held"
      "          FROM " + table + " o WHERE o.sent_at IS NULL) AS unsent")[0];
  return {row[0].as<std::int64_t>(), row[1].as<std::int64_t>(), row[2].as<std::int64_t>()};
}

bool UnparkOutboxRow(pqxx::transaction_base& txn, const std::string& schema, std::int64_t id) {
  return db::Exec(txn, "UPDATE " + txn.quote_name(schema) +
                           ".outbox SET parked_at = NULL, refusals = 0 WHERE id = $1 AND parked_at IS NOT NULL",
                       id)
             .affected_rows() == 1;
}

db::Migration OutboxMigration() {
  return {900, "create_outbox", R"sql(
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    event_id   uuid NOT NULL UNIQUE,
    topic      text NOT NULL,
    key        text NOT NULL,
    event_type text NOT NULL,
    envelope   bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    attempts   integer NOT NULL DEFAULT 0,
    last_error text
);
-- The relay's only query: the unsent rows in id order. Sent rows drop out of this index.
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
)sql"};
}

db::Migration InboxMigration() {
  return {901, "create_inbox", R"sql(
CREATE TABLE inbox (
    event_id     uuid PRIMARY KEY,
    event_type   text NOT NULL,
    topic        text NOT NULL,
    "partition"  integer NOT NULL,
    "offset"     bigint NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);
)sql"};
}

db::Migration OutboxParkingAndVersionsMigration() {
  return {902, "outbox_parking_and_versions", R"sql(
-- Parking (relay.h): a row Kafka refused max_refusals times for good is parked and skipped,
-- and so are the later rows of its key, until an operator un-parks or deletes it.
ALTER TABLE outbox ADD COLUMN refusals integer NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN parked_at timestamptz;
-- The relay's selection: unsent and not parked, in id order.
DROP INDEX outbox_unsent;
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND parked_at IS NULL;
-- "Is there a parked row of this key before this one?": few rows, looked up by key.
CREATE INDEX outbox_parked ON outbox (key, id) WHERE parked_at IS NOT NULL;
-- Pruning deletes the oldest sent rows first.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- The last aggregate_version Append gave each aggregate. Apart from the outbox, so that pruning
-- sent rows never resets a count; one small row per aggregate that ever published.
CREATE TABLE outbox_versions (
    aggregate_type text NOT NULL,
    aggregate_id   text NOT NULL,
    version        bigint NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id)
);
)sql"};
}

}  // namespace storefront::events
