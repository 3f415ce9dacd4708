// The event log as operators see it: the newest events of a topic, the dead letters, a replay,
// and whether the broker answers.
//
// Reading the newest N events is not what a consumer group does (a group reads forward from its
// committed offsets). Here each partition's watermarks are asked for, the reader is assigned at
// max(low, high - N) and reads up to high, then the events of all partitions are merged newest
// first. Nothing is committed and no group is joined, so the console never disturbs the
// services' consumers.
//
// Every call to EventLog blocks on the broker: run it on an http::BlockingPool, never on a
// reactor thread. The JSON mapping (EventJson, DeadLetterJson) and the replay rules (Replay) are
// plain functions over TopicMessage, unit tested without a broker (admin_events_test.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace storefront::events::internal {
class KafkaProducer;
}

namespace storefront::gateway::admin {

// One Kafka message as read, before it is interpreted.
struct TopicMessage {
  std::string topic;
  int partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;  // the last value of each name
  std::optional<std::int64_t> timestamp_ms;   // the message's timestamp, when it has one
};

struct BrokerHealth {
  bool ok = false;
  std::string detail;  // "3 brokers", or why not
};

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

// EventLog over librdkafka.
class KafkaEventLog final : public EventLog {
 public:
  explicit KafkaEventLog(std::string bootstrap_servers, std::chrono::milliseconds timeout = std::chrono::seconds(1));
  ~KafkaEventLog() override;

  std::vector<TopicMessage> Newest(const std::string& topic, int per_partition) override;
  std::optional<TopicMessage> At(const std::string& topic, int partition, std::int64_t offset) override;
  void Produce(const TopicMessage& message) override;
  BrokerHealth Check() override;

 private:
  events::internal::KafkaProducer& Producer();  // created on first use; call with mutex_ held

  const std::string bootstrap_;
  const std::chrono::milliseconds timeout_;  // each request to the broker
  std::mutex mutex_;
  std::unique_ptr<events::internal::KafkaProducer> producer_;  // health checks and replays
};

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

// Puts the dead letter at `partition`/`offset` back on the topic it came from (its
// original_topic header, which must be one of events::kTopics other than the dead-letter topic
// itself), with the same key and value and a header replayed_from = "<partition>/<offset>".
// Consumers dedupe by event id, so a replay of an event that did get applied changes nothing.
// Returns the topic. Throws storefront::NotFound (no such dead letter) or FailedPrecondition
// (no usable original topic).
std::string Replay(EventLog& log, int partition, std::int64_t offset);

}  // namespace storefront::gateway::admin
