// The event log as operators see it: the newest events of a topic, the dead letters, a replay,
// and whether the broker answers. EventLog is the port the routes use; KafkaEventLog
// (kafka_event_log.h) is its adapter over shared/events' TopicLog. The JSON mapping (EventJson,
// DeadLetterJson) and the replay rules (Replay) are plain functions over TopicMessage, unit
// tested without a broker (event_log_test.cpp).
//
// Every call to an EventLog may block on the broker: run it on an http::BlockingPool, never on
// a reactor thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/events/topic_log.h"

namespace storefront::gateway::eventlog {

// One Kafka message as read, before it is interpreted.
using TopicMessage = storefront::events::TopicMessage;
using BrokerHealth = storefront::events::BrokerHealth;

class EventLog {
 public:
  virtual ~EventLog() = default;
  // At most `per_partition` of the newest messages of every partition of `topic` (so at least
  // the `per_partition` newest of the topic), in no particular order. An unknown topic has none.
  // Throws storefront::Unavailable when the broker does not answer in time.
  virtual std::vector<TopicMessage> Newest(const std::string& topic, int per_partition) = 0;
  // The message at `partition`/`offset` of `topic`, nullopt when there is none.
  virtual std::optional<TopicMessage> At(const std::string& topic, int partition, std::int64_t offset) = 0;
  // Produces `message` (topic, key, value, headers) and waits for the broker's acknowledgement.
  virtual void Produce(const TopicMessage& message) = 0;
  virtual BrokerHealth Check() = 0;
};

// One of events::kTopics (the dead-letter topic included).
bool IsStoreTopic(const std::string& name);

// Event = {"topic","partition","offset","key","event_id","event_type","aggregate_id",
// "occurred_at","producer","payload"}: the storefront.events.v1.EventEnvelope in the message,
// with its payload decoded by payload_type (a storefront.events.v1 message) into JSON with the
// proto field names. A message that is not an envelope keeps its position and key, empty
// envelope fields and a null payload; so does a payload of a type this gateway does not know.
nlohmann::json EventJson(const TopicMessage& message);

// DeadLetter = {"partition","offset","original_topic","error","consumer_group","event_type",
// "key","at"}, from the headers events::Consumer writes when it dead-letters a message.
nlohmann::json DeadLetterJson(const TopicMessage& message);

// The `limit` newest events, newest first: by occurred_at (an envelope's own time, as the
// producer recorded it), then by message timestamp and offset.
std::vector<nlohmann::json> NewestEvents(const std::vector<TopicMessage>& messages, std::size_t limit);
// The `limit` newest dead letters, newest first by when they were dead-lettered.
std::vector<nlohmann::json> NewestDeadLetters(const std::vector<TopicMessage>& messages, std::size_t limit);

// Asks the consumer group that dead-lettered the event at `partition`/`offset` to apply it again:
// a request on events::kReplayTopic naming the group and where the event is on its own topic (the
// dead letter's consumer_group and original_* headers), with its key and a header replayed_from =
// "<partition>/<offset>". The group reads the event from that topic (shared/events/consumer.h), so
// a replay applies only what the topic's owner published, and the gateway needs no right to write
// any service's topic. Consumers dedupe by event id, so replaying an applied event changes nothing.
// Returns the event's topic. Throws storefront::NotFound (no such dead letter) or
// FailedPrecondition (no topic of the store to replay to, or no position or group).
std::string Replay(EventLog& log, int partition, std::int64_t offset);

}  // namespace storefront::gateway::eventlog
