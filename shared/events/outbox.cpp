#include "shared/events/outbox.h"

#include <chrono>
#include <stdexcept>

#include "shared/types/uuid.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::events {

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
  envelope.set_aggregate_version(event.aggregate_version);
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  envelope.mutable_occurred_at()->set_seconds(seconds.count());
  envelope.mutable_occurred_at()->set_nanos(
      static_cast<int>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count()));
  envelope.mutable_trace()->set_traceparent(event.traceparent);
  envelope.set_producer(producer);
  envelope.set_payload(event.payload->SerializeAsString());
  envelope.set_payload_type(event.payload->GetDescriptor()->full_name());

  txn.exec_params("INSERT INTO " + txn.quote_name(schema) +
                      ".outbox (event_id, topic, key, event_type, envelope) VALUES ($1::uuid, $2, $3, $4, $5)",
                  envelope.event_id(), event.topic, event.aggregate_id, event.event_type,
                  pqxx::binarystring(envelope.SerializeAsString()));
  return envelope.event_id();
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

}  // namespace storefront::events
