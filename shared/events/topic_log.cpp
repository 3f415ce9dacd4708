#include "shared/events/topic_log.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "shared/errors/errors.h"
#include "shared/events/internal/kafka.h"
#include "shared/log/log.h"

namespace storefront::events {
namespace {

// How long one read may take in all, past the per-request timeout: the broker answers
// watermarks at once, so this only bounds a broker that stalls mid-fetch.
constexpr auto kReadBudget = std::chrono::seconds(5);

std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> Owned(rd_kafka_message_t* message) {
  return {message, rd_kafka_message_destroy};
}

TopicMessage FromKafka(const rd_kafka_message_t& message) {
  TopicMessage out;
  out.topic = rd_kafka_topic_name(message.rkt);
  out.partition = message.partition;
  out.offset = message.offset;
  if (message.key != nullptr) out.key.assign(static_cast<const char*>(message.key), message.key_len);
  if (message.payload != nullptr) out.value.assign(static_cast<const char*>(message.payload), message.len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      out.headers[name] = value == nullptr ? std::string() : std::string(static_cast<const char*>(value), size);
    }
  }
  rd_kafka_timestamp_type_t type;
  const std::int64_t timestamp = rd_kafka_message_timestamp(&message, &type);
  if (timestamp >= 0) out.timestamp_ms = timestamp;
  return out;
}

}  // namespace

namespace internal {

// A consumer that reads by assignment only: it joins no group and commits nothing (librdkafka
// wants a group.id before it assigns partitions, but a group is only joined on subscribe).
class Reader {
 public:
  // `report_eof`: a message with RD_KAFKA_RESP_ERR__PARTITION_EOF each time a partition's end is
  // reached (a bounded read needs them; a follower does not).
  explicit Reader(const TopicLogOptions& options, bool report_eof = true) : timeout_(options.timeout) {
    internal::KafkaConfig config = internal::ClientConfig(options.bootstrap_servers, options.tls);
    config.insert({{"group.id", options.client_id},
                   {"client.id", options.client_id},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"},
                   {"enable.partition.eof", report_eof ? "true" : "false"},
                   {"auto.offset.reset", "earliest"},
                   {"socket.timeout.ms", "10000"}});
    rd_kafka_conf_t* conf = internal::MakeConf(config);
    char errstr[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error(std::string("cannot create a kafka reader: ") + errstr);
    }
    // Errors and logs come through the consumer's queue, which the polls drain (else they pile
    // up in the main queue, which nothing polls).
    rd_kafka_poll_set_consumer(rk_);
  }
  ~Reader() {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // The topic's partition ids; empty when the broker does not know the topic.
  std::vector<int> Partitions(const std::string& topic) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, handle, &metadata, Millis());
    rd_kafka_topic_destroy(handle);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) Unreachable(err);
    std::vector<int> partitions;
    for (int t = 0; t < metadata->topic_cnt; ++t) {
      const auto& info = metadata->topics[t];
      if (topic != info.topic || info.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      for (int p = 0; p < info.partition_cnt; ++p) partitions.push_back(info.partitions[p].id);
    }
    rd_kafka_metadata_destroy(metadata);
    std::sort(partitions.begin(), partitions.end());
    return partitions;
  }

  std::pair<std::int64_t, std::int64_t> Watermarks(const std::string& topic, int partition) {
    std::int64_t low = 0, high = 0;
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk_, topic.c_str(), partition, &low, &high, Millis());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) Unreachable(err);
    return {low, high};
  }

  // Reads each partition of `starts` from the offset given, from the next poll on.
  void Assign(const std::string& topic, const std::map<int, std::int64_t>& starts) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(starts.size()));
    for (const auto& [partition, offset] : starts) {
      rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = offset;
    }
    const rd_kafka_resp_err_t err = rd_kafka_assign(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) Unreachable(err);
  }

  // The next message or error of the assigned partitions, null when none came within `wait`.
  std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> Poll(std::chrono::milliseconds wait) {
    return Owned(rd_kafka_consumer_poll(rk_, static_cast<int>(wait.count())));
  }

  // Reads each partition of `ranges` from its start offset up to (not including) its end.
  // `take` sees each message and returns true when it needs nothing more from that partition.
  void Read(const std::string& topic, const std::map<int, std::pair<std::int64_t, std::int64_t>>& ranges,
            const std::function<bool(const rd_kafka_message_t&)>& take) {
    if (ranges.empty()) return;
    std::map<int, std::int64_t> starts;
    for (const auto& [partition, range] : ranges) starts[partition] = range.first;
    Assign(topic, starts);

    std::map<int, std::int64_t> open;  // partition -> end offset
    for (const auto& [partition, range] : ranges) open[partition] = range.second;
    const auto deadline = std::chrono::steady_clock::now() + timeout_ + kReadBudget;
    while (!open.empty()) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw Unavailable("the Kafka broker did not return the messages of " + topic + " in time");
      }
      auto message = Owned(rd_kafka_consumer_poll(rk_, 100));
      if (!message) continue;
      auto it = open.find(message->partition);
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (it != open.end()) open.erase(it);
        continue;
      }
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log::Warn("topic log: kafka read error", {{"topic", topic}, {"error", rd_kafka_err2name(message->err)}});
        continue;
      }
      if (it == open.end()) continue;
      const bool done = take(*message) || message->offset + 1 >= it->second;
      if (done) open.erase(it);
    }
  }

 private:
  int Millis() const { return static_cast<int>(timeout_.count()); }
  [[noreturn]] static void Unreachable(rd_kafka_resp_err_t err) {
    throw Unavailable("the Kafka broker is unavailable (" + internal::ErrorText(err) + ")");
  }

  rd_kafka_t* rk_ = nullptr;
  std::chrono::milliseconds timeout_;
};

}  // namespace internal

TopicLog::TopicLog(TopicLogOptions options) : options_(std::move(options)) {}

TopicLog::~TopicLog() = default;

internal::KafkaProducer& TopicLog::Producer() {
  if (!producer_) {
    internal::KafkaConfig config = internal::ClientConfig(options_.bootstrap_servers, options_.tls);
    config.insert({{"client.id", options_.client_id}, {"acks", "all"}, {"message.timeout.ms", "5000"}});
    producer_ = std::make_unique<internal::KafkaProducer>(config);
  }
  return *producer_;
}

std::vector<TopicMessage> TopicLog::Newest(const std::string& topic, int per_partition) {
  internal::Reader reader(options_);
  std::map<int, std::pair<std::int64_t, std::int64_t>> ranges;
  for (int partition : reader.Partitions(topic)) {
    auto [low, high] = reader.Watermarks(topic, partition);
    if (high > low) ranges[partition] = {std::max(low, high - per_partition), high};
  }
  std::vector<TopicMessage> messages;
  reader.Read(topic, ranges, [&](const rd_kafka_message_t& message) {
    messages.push_back(FromKafka(message));
    return false;
  });
  return messages;
}

std::optional<TopicMessage> TopicLog::At(const std::string& topic, int partition, std::int64_t offset) {
  internal::Reader reader(options_);
  auto partitions = reader.Partitions(topic);
  if (std::find(partitions.begin(), partitions.end(), partition) == partitions.end()) return std::nullopt;
  auto [low, high] = reader.Watermarks(topic, partition);
  if (offset < low || offset >= high) return std::nullopt;
  std::optional<TopicMessage> found;
  reader.Read(topic, {{partition, {offset, high}}}, [&](const rd_kafka_message_t& message) {
    if (message.offset == offset) found = FromKafka(message);
    return message.offset >= offset;
  });
  return found;
}

void TopicLog::Produce(const TopicMessage& message) {
  internal::OutgoingMessage outgoing{message.topic, message.key, message.value, {}};
  for (const auto& header : message.headers) outgoing.headers.push_back(header);
  std::lock_guard lock(mutex_);
  const auto result = Producer().Deliver({outgoing}, std::chrono::seconds(6));
  if (result.at(0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw Unavailable("the Kafka broker did not take the message (" + internal::ErrorText(result[0]) + ")");
  }
}

BrokerHealth TopicLog::Check() {
  rd_kafka_t* handle = nullptr;
  {
    std::lock_guard lock(mutex_);
    handle = Producer().handle();  // the producer lives as long as this object
  }
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(handle, /*all_topics=*/0, nullptr, &metadata, static_cast<int>(options_.timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return {false, internal::ErrorText(err)};
  const int brokers = metadata->broker_cnt;
  rd_kafka_metadata_destroy(metadata);
  if (brokers == 0) return {false, "no brokers in the cluster metadata"};
  return {true, std::to_string(brokers) + (brokers == 1 ? " broker" : " brokers")};
}


TopicFollower::TopicFollower(TopicLogOptions options, std::string topic, OnMessage on_message, OnState on_state,
                             std::chrono::milliseconds retry, std::chrono::milliseconds check_interval,
                             std::chrono::milliseconds max_silence)
    : options_(std::move(options)),
      topic_(std::move(topic)),
      on_message_(std::move(on_message)),
      on_state_(std::move(on_state)),
      retry_(retry),
      check_interval_(check_interval),
      max_silence_(max_silence) {}

TopicFollower::~TopicFollower() { Stop(); }

void TopicFollower::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void TopicFollower::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    thread.swap(thread_);
  }
  wake_.notify_all();
  if (thread.joinable()) thread.join();
  SetFollowing(false);
}

void TopicFollower::SetFollowing(bool following) {
  if (following_.exchange(following) != following && on_state_) on_state_(following);
}

bool TopicFollower::Sleep(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, duration, [this] { return stopping_; });
}

bool TopicFollower::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void TopicFollower::Run() {
  std::string last_problem;  // logged when it changes, not at every retry
  while (!Stopping()) {
    std::unique_ptr<internal::Reader> reader;
    std::map<int, std::int64_t> next;  // partition -> the offset of the next message to read
    try {
      reader = std::make_unique<internal::Reader>(options_, /*report_eof=*/false);
      const auto partitions = reader->Partitions(topic_);
      if (partitions.empty()) throw Unavailable("the broker does not know the topic");
      for (int partition : partitions) {
        if (Stopping()) return;
        next[partition] = reader->Watermarks(topic_, partition).second;
      }
      reader->Assign(topic_, next);
    } catch (const std::exception& error) {
      if (error.what() != last_problem) {
        last_problem = error.what();
        log::Warn("topic follower: cannot start following", {{"topic", topic_}, {"error", last_problem}});
      }
      if (!Sleep(retry_)) break;
      continue;
    }
    last_problem.clear();
    log::Info("topic follower: following", {{"topic", topic_}});
    SetFollowing(true);

    std::string lost;  // why following ended, if it did
    rd_kafka_resp_err_t last_error = RD_KAFKA_RESP_ERR_NO_ERROR;
    auto heard = std::chrono::steady_clock::now();  // when the broker last answered a check
    auto next_check = heard + check_interval_;
    while (lost.empty() && !Stopping()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_check) {
        next_check = now + check_interval_;
        lost = Check(*reader, next, now, heard);
        if (!lost.empty()) break;
      }
      auto message = reader->Poll(std::chrono::milliseconds(200));
      if (!message) continue;
      switch (message->err) {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
          next[message->partition] = message->offset + 1;
          try {
            on_message_(FromKafka(*message));
          } catch (const std::exception& error) {
            lost = std::string("a message could not be handled: ") + error.what();
          }
          break;
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
          lost = std::string("the topic is gone (") + rd_kafka_err2name(message->err) + ")";
          break;
        default:
          // The broker away or slow: librdkafka retries and resumes where it was.
          if (message->err != last_error) {
            log::Warn("topic follower: read error", {{"topic", topic_}, {"error", rd_kafka_err2name(message->err)}});
          }
          last_error = message->err;
      }
    }
    if (lost.empty()) break;  // stopping
    log::Warn("topic follower: stopped following, starting over from the end", {{"topic", topic_}, {"reason", lost}});
    SetFollowing(false);
    reader.reset();
    if (!Sleep(retry_)) break;
  }
}

std::string TopicFollower::Check(internal::Reader& reader, const std::map<int, std::int64_t>& next,
                                 std::chrono::steady_clock::time_point now,
                                 std::chrono::steady_clock::time_point& heard) {
  bool caught_up = true;
  try {
    const auto partitions = reader.Partitions(topic_);
    if (partitions.size() != next.size()) {
      return "the topic has " + std::to_string(partitions.size()) + " partitions now, not " +
             std::to_string(next.size());
    }
    for (const auto& [partition, offset] : next) {
      if (offset < reader.Watermarks(topic_, partition).second) caught_up = false;
    }
  } catch (const std::exception& error) {
    // No answer: messages may be waiting that this follower cannot see. Past max_silence it
    // says so (not following) until the broker answers again and it has caught up.
    if (now - heard > max_silence_ && following()) {
      log::Warn("topic follower: the broker has not answered; not following until it does",
                {{"topic", topic_}, {"error", error.what()},
                 {"silent_ms", std::chrono::duration_cast<std::chrono::milliseconds>(now - heard).count()}});
      SetFollowing(false);
    }
    return "";
  }
  heard = now;
  if (caught_up && !following()) {
    log::Info("topic follower: the broker answers again and every message is read; following", {{"topic", topic_}});
    SetFollowing(true);
  }
  return "";
}

}  // namespace storefront::events
