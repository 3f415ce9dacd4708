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

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "shared/config/service_settings.h"

namespace storefront::events {

namespace internal {
class KafkaProducer;
class Reader;
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
  config::TlsSettings tls = {};  // the process's identity for the broker; none: plaintext
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

// Follows one topic forward from its end: every message produced to it after the follower began
// following is handed to `on_message`, in order within each partition, on the follower's own
// thread. Like TopicLog it joins no group and commits nothing, so every replica of a process gets
// every message: what a copy that each replica keeps for itself needs (the gateway's cache of
// catalog reads, which the catalog's product events invalidate).
//
// - Following starts once the partitions' high watermarks have been read and the reader assigned
//   there; only then does `on_state(true)` run, so a message produced after that moment is never
//   missed. While the broker does not answer, it tries again every `retry` interval.
// - A broker that goes away delays messages, it does not lose them: librdkafka reconnects and
//   resumes at the next offset (and an offset that no longer exists restarts the partition at its
//   earliest, which repeats messages rather than skipping them). But the follower checks every
//   `check_interval` that the broker answers: after `max_silence` without an answer it is not
//   following (messages may be waiting that it cannot see) until the broker answers again and
//   every message up to the partitions' ends has been read.
// - It stops following (`on_state(false)`), then starts over from the end, when the topic itself
//   goes (deleted, or unknown to the broker), when its partitions change, and when `on_message`
//   throws.
class TopicFollower {
 public:
  using OnMessage = std::function<void(const TopicMessage&)>;
  using OnState = std::function<void(bool following)>;

  TopicFollower(TopicLogOptions options, std::string topic, OnMessage on_message, OnState on_state,
                std::chrono::milliseconds retry = std::chrono::seconds(1),
                std::chrono::milliseconds check_interval = std::chrono::seconds(5),
                std::chrono::milliseconds max_silence = std::chrono::seconds(15));
  ~TopicFollower();  // Stop()
  TopicFollower(const TopicFollower&) = delete;
  TopicFollower& operator=(const TopicFollower&) = delete;

  // Starts the follower's thread; returns at once (following() turns true later).
  void Start();
  // Ends the thread; on_state(false) runs if it was following. Final.
  void Stop();
  bool following() const { return following_.load(); }

 private:
  void Run();
  // The periodic check while following: "" to go on, else why following must start over.
  std::string Check(internal::Reader& reader, const std::map<int, std::int64_t>& next,
                    std::chrono::steady_clock::time_point now, std::chrono::steady_clock::time_point& heard);
  bool Stopping();
  void SetFollowing(bool following);
  bool Sleep(std::chrono::milliseconds duration);  // false when stopped meanwhile

  const TopicLogOptions options_;
  const std::string topic_;
  const OnMessage on_message_;
  const OnState on_state_;
  const std::chrono::milliseconds retry_;
  const std::chrono::milliseconds check_interval_;
  const std::chrono::milliseconds max_silence_;
  std::atomic<bool> following_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace storefront::events
