// Direct access to the store's topics for operator tools (the gateway's console): the newest
// messages of a topic, one message by its position, producing one message, and whether the
// broker answers.
//
// This is not a consumer. Reading the newest N messages is not what a consumer group does (a
// group reads forward from its committed offsets): here each partition's watermarks are asked
// for, the reader is assigned at max(low, high - N) and reads up to high. No group is joined and
// nothing is committed, so a TopicLog never disturbs the services' consumers. librdkafka is
// configured and logs exactly as the relay and the consumer do (internal/kafka.h), but none of
// it shows in this header.
//
// Every call blocks on the broker: run it off any event loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace storefront::events {

namespace internal {
class KafkaProducer;
}

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

struct TopicLogOptions {
  std::string bootstrap_servers;
  // The client.id of its connections; also the group.id librdkafka wants before it assigns
  // partitions (a group is only joined on subscribe, which a TopicLog never does).
  std::string client_id;
  std::chrono::milliseconds timeout{1000};  // each request to the broker
};

class TopicLog {
 public:
  explicit TopicLog(TopicLogOptions options);
  ~TopicLog();
  TopicLog(const TopicLog&) = delete;
  TopicLog& operator=(const TopicLog&) = delete;

  // At most `per_partition` of the newest messages of every partition of `topic` (so at least
  // the `per_partition` newest of the topic), in no particular order. An unknown topic has none.
  // Throws storefront::Unavailable when the broker does not answer in time.
  std::vector<TopicMessage> Newest(const std::string& topic, int per_partition);
  // The message at `partition`/`offset` of `topic`, nullopt when there is none.
  std::optional<TopicMessage> At(const std::string& topic, int partition, std::int64_t offset);
  // Produces `message` (topic, key, value, headers; the rest is ignored) and waits for the
  // broker's acknowledgement (acks=all). Throws storefront::Unavailable when it is not taken.
  void Produce(const TopicMessage& message);
  BrokerHealth Check();

 private:
  internal::KafkaProducer& Producer();  // created on first use; call with mutex_ held

  const TopicLogOptions options_;
  std::mutex mutex_;
  std::unique_ptr<internal::KafkaProducer> producer_;  // health checks and produced messages
};

}  // namespace storefront::events
