#include "shared/events/consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "shared/db/statement.h"
#include "shared/db/transient.h"
#include "shared/errors/errors.h"
#include "shared/types/uuid.h"
#include "shared/events/internal/kafka.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "shared/metrics/metrics.h"
#include "shared/trace/span.h"

namespace storefront::events {

bool IsTransient(const std::exception& e) {
  return db::IsTransient(e) || dynamic_cast<const Unavailable*>(&e) != nullptr;
}

namespace {

std::string Bytes(const void* data, std::size_t size) {
  return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), size);
}

// A header of the message, or "" when it has none by that name.
std::string Header(const rd_kafka_message_t& message, std::string_view name) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return "";
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(headers, std::string(name).c_str(), &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return "";
  }
  return Bytes(value, size);
}

// Thrown inside Apply: an earlier event of the same key is parked, so this one may not overtake it.
class HeldBehind : public std::runtime_error {
 public:
  HeldBehind(std::string parked_event_id, const std::string& key)
      : std::runtime_error("held behind the parked event " + parked_event_id + " of the same key \"" +
                           key.substr(0, 100) + "\"; replay that one first"),
        event_id(std::move(parked_event_id)) {}
  std::string event_id;
};

// Decodes a message into an envelope we can record: it must parse and carry an event id and type.
// The consumers' figures: what happened to each event, by topic and outcome (processed,
// duplicate, skipped, retried, dead_lettered: one per time an event is taken), how long handling
// took, and the lag.
struct ConsumerFigures {
  prometheus::Family<prometheus::Counter>& handled;
  prometheus::Family<prometheus::Counter>& dead_lettered;
  prometheus::Family<prometheus::Histogram>& seconds;
  prometheus::Family<prometheus::Gauge>& lag;
};

ConsumerFigures& Figures() {
  static ConsumerFigures figures{
      metrics::Counters("events_handled_total", "Events taken from Kafka, by topic and what became of them."),
      metrics::Counters("events_dead_lettered_total", "Events sent to the dead-letter topic, by their own topic."),
      metrics::Histograms("events_handling_seconds", "Time from taking an event to its outcome, by topic."),
      metrics::Gauges("kafka_consumer_lag_messages",
                      "Events in the partitions this consumer owns that it has not committed yet, by group and topic.")};
  return figures;
}

void CountOutcome(const rd_kafka_message_t& message, const char* outcome) {
  Figures().handled.Add({{"topic", rd_kafka_topic_name(message.rkt)}, {"outcome", outcome}}).Increment();
}

// librdkafka's statistics (statistics.interval.ms), served by the consumer's poll: the lag per
// partition as librdkafka computes it (the end of the partition minus the committed offset; -1
// while unknown), summed per topic for the partitions this consumer owns.
int OnStatistics(rd_kafka_t* /*rk*/, char* json, size_t json_length, void* opaque) {
  auto stats = nlohmann::json::parse(std::string_view(json, json_length), nullptr, false);
  if (!stats.is_object() || !stats.contains("topics") || !stats["topics"].is_object()) return 0;
  const std::string& group = *static_cast<const std::string*>(opaque);  // the consumer's group id
  for (const auto& [topic, topic_stats] : stats["topics"].items()) {
    if (!topic_stats.is_object() || !topic_stats.contains("partitions")) continue;
    double lag = 0;
    for (const auto& [partition, partition_stats] : topic_stats["partitions"].items()) {
      if (partition == "-1" || !partition_stats.is_object()) continue;  // -1: librdkafka's unassigned queue
      if (partition_stats.value("fetch_state", std::string("none")) == "none") continue;  // not ours
      auto partition_lag = partition_stats.value("consumer_lag", static_cast<std::int64_t>(-1));
      if (partition_lag > 0) lag += static_cast<double>(partition_lag);
    }
    Figures().lag.Add({{"group", group}, {"topic", topic}}).Set(lag);
  }
  return 0;  // librdkafka frees `json`
}

bool Decode(const rd_kafka_message_t& message, Envelope* envelope, std::string* error) {
  if (!envelope->ParseFromArray(message.payload, static_cast<int>(message.len))) {
    *error = "not a storefront.events.v1.EventEnvelope: does not parse";
    return false;
  }
  if (!storefront::types::IsUuid(envelope->event_id())) {
    *error = "not a storefront.events.v1.EventEnvelope: event_id \"" + envelope->event_id().substr(0, 64) +
             "\" is not a UUID";
    return false;
  }
  if (envelope->event_type().empty()) {
    *error = "not a storefront.events.v1.EventEnvelope: event_type is empty";
    return false;
  }
  // A topic of the store carries its owner's events only (topics.h, TopicOwner): an envelope that
  // names another producer, or an event type of another, is a mistake or a forgery, never applied.
  const std::string topic = rd_kafka_topic_name(message.rkt);
  const std::string owner(TopicOwner(topic));
  if (!owner.empty() && envelope->producer() != owner) {
    *error = "producer \"" + envelope->producer().substr(0, 64) + "\" does not own " + topic + " (" + owner + " does)";
    return false;
  }
  if (!owner.empty() && envelope->event_type().rfind("storefront." + owner + ".", 0) != 0) {
    *error = "event type \"" + envelope->event_type().substr(0, 100) + "\" is not one " + owner + " publishes on " + topic;
    return false;
  }
  return true;
}

}  // namespace

class Consumer::Impl {
 public:
  Impl(db::Pool& pool, ConsumerOptions options);
  ~Impl() { Stop(); }

  void On(const std::string& event_type, EventHandler handler) { handlers_[event_type] = std::move(handler); }
  void Start();
  void Stop();
  bool PollOnce(std::chrono::milliseconds timeout);
  Stats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  enum class Outcome { kApplied, kDuplicate, kSkipped };

  // An event that failed and waits for its next try: its partition is paused and rewound to it,
  // and resumes at `resume_at` while every other partition flows on.
  struct Retry {
    std::int64_t offset = 0;
    int failures = 0;  // the handler's failures (not the transient ones): dead-lettered at max_attempts
    int waits = 0;     // backoffs so far, failures and transient ones: the next one is twice as long
    std::chrono::steady_clock::time_point resume_at;
    bool resumed = false;
  };
  using Partition = std::pair<std::string, std::int32_t>;
  using Message = std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)>;

  void Handle(const rd_kafka_message_t& message);
  // Handles the event in `content`; `position` is the message whose offset says it was handled
  // (committed, or rewound to for a retry): the event itself, or the replay request that fetched
  // it from its topic.
  void Handle(const rd_kafka_message_t& content, const rd_kafka_message_t& position);
  // A replay request (kReplayTopic): for this group, the event it points at is read from its own
  // topic and handled again; for another group, skipped.
  void HandleReplay(const rd_kafka_message_t& request);
  // The message at `offset` of `topic`/`partition`, read by a second handle of this consumer
  // (assigned, never subscribed); no message, and why, when the topic does not have it (past its
  // end or its retention, no such partition). Throws Unavailable when the broker does not answer
  // within 10 s.
  struct Fetched {
    Message message{nullptr, rd_kafka_message_destroy};
    std::string why;
  };
  Fetched FetchAt(const std::string& topic, std::int32_t partition, std::int64_t offset);
  // The retry state of the message at `position` (its earlier failures), taken out of retries_.
  Retry TakeRetry(const rd_kafka_message_t& position);
  Outcome Apply(const rd_kafka_message_t& message, const Envelope& envelope);
  // Pauses the message's partition and rewinds it to the message, to be tried again later.
  void RetryLater(const rd_kafka_message_t& message, Retry retry);
  void ResumeDuePartitions();
  // Records the event as parked for its key (so later events of the key wait behind it), then
  // dead-letters it.
  void Park(const rd_kafka_message_t& content, const rd_kafka_message_t& position, const Envelope& envelope,
            const std::string& error, const std::string& held_behind);
  // Copies `content` to the dead-letter topic, then marks `position` done.
  void DeadLetter(const rd_kafka_message_t& content, const rd_kafka_message_t& position, const std::string& error,
                  const std::string& event_type, const std::string& held_behind = "");
  // Marks `message` done: stores its next offset, which librdkafka commits (see the config).
  void StoreOffset(const rd_kafka_message_t& message);
  void PruneInbox();
  // Sleeps up to `duration`; false when Stop was asked for meanwhile.
  bool Sleep(std::chrono::milliseconds duration);
  bool Stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
  }
  void Count(long Stats::*counter) {
    std::lock_guard lock(mutex_);
    ++(stats_.*counter);
  }

  db::Pool& pool_;
  const ConsumerOptions options_;
  std::map<std::string, EventHandler> handlers_;
  rd_kafka_t* rk_ = nullptr;
  std::unique_ptr<internal::KafkaProducer> dead_letters_;  // created on first use
  rd_kafka_t* replay_reader_ = nullptr;                     // FetchAt's handle, created on first use
  bool closed_ = false;
  std::thread thread_;

  std::map<Partition, Retry> retries_;  // the loop's thread only
  std::chrono::steady_clock::time_point next_prune_;

  mutable std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  Stats stats_;
};

Consumer::Impl::Impl(db::Pool& pool, ConsumerOptions options) : pool_(pool), options_(std::move(options)) {
  if (options_.bootstrap_servers.empty()) throw std::invalid_argument("consumer: bootstrap_servers is required");
  if (options_.group_id.empty()) throw std::invalid_argument("consumer: group_id is required");
  if (options_.topics.empty()) throw std::invalid_argument("consumer: topics are required");
  if (options_.schema.empty()) throw std::invalid_argument("consumer: schema is required");
  if (options_.max_attempts < 1) throw std::invalid_argument("consumer: max_attempts must be at least 1");
  if (options_.retry_backoff.count() < 1 || options_.max_retry_backoff < options_.retry_backoff) {
    throw std::invalid_argument("consumer: retry_backoff must be positive and at most max_retry_backoff");
  }

  internal::KafkaConfig config = internal::ClientConfig(options_.bootstrap_servers, options_.tls);
  config.insert({
      {"group.id", options_.group_id},
      {"client.id", options_.group_id},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      // How long the group waits for a member that stopped heartbeating (crashed, frozen, cut
      // off) before its partitions go to the others: long enough for a restart (a static member
      // that comes back within it keeps its partitions), short enough that a dead replica's
      // events wait at most this long.
      {"session.timeout.ms", "30000"},
      {"heartbeat.interval.ms", "3000"},
      // The longest the loop may go between two polls before librdkafka leaves the group so its
      // partitions move on: one event's transaction, retries included, takes far less; a stuck
      // handler, or a database outage waited out this long, is what it bounds (the next owner
      // re-reads the event, and the inbox makes that harmless).
      {"max.poll.interval.ms", "300000"},
      // Only what producers committed (librdkafka's default, stated): our producers do not use
      // Kafka transactions, so every acknowledged event is visible at once.
      {"isolation.level", "read_committed"},
  });
  if (!options_.group_instance_id.empty()) config["group.instance.id"] = options_.group_instance_id;
  for (const auto& [name, value] : options_.kafka_config) config[name] = value;
  // Offsets move only past events this loop is done with: it stores an event's offset after the
  // event's transaction commits (or after its dead letter is written), and librdkafka commits
  // the stored offsets every auto.commit.interval.ms, when partitions are revoked and when the
  // consumer closes. One OffsetCommit per interval, not a synchronous round trip per event; a
  // crash between two commits redelivers at most an interval's events, which the inbox turns
  // into no-ops.
  config["enable.auto.commit"] = "true";
  config["enable.auto.offset.store"] = "false";
  if (!config.count("auto.commit.interval.ms")) config["auto.commit.interval.ms"] = "100";

  // Every topic's dead-letter count exists from the start, at 0: an alert on its increase sees
  // the first dead letter (a series that appears at 1 shows no increase).
  for (const auto& topic : options_.topics) Figures().dead_lettered.Add({{"topic", topic}});
  Figures().dead_lettered.Add({{"topic", options_.replay_topic}});  // requests that point nowhere

  // Statistics every few seconds, for the lag figure (OnStatistics).
  if (!config.count("statistics.interval.ms")) config["statistics.interval.ms"] = "5000";

  rd_kafka_conf_t* conf = internal::MakeConf(config);
  rd_kafka_conf_set_stats_cb(conf, OnStatistics);
  rd_kafka_conf_set_opaque(conf, const_cast<std::string*>(&options_.group_id));  // outlives rk_: a member
  char errstr[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::invalid_argument(std::string("cannot create a kafka consumer: ") + errstr);
  }
  rd_kafka_poll_set_consumer(rk_);  // logs and errors are served by consumer_poll too

  // Its topics, and the operators' replay requests (which name the group they are for).
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size()) + 1);
  for (const auto& topic : options_.topics) {
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (std::find(options_.topics.begin(), options_.topics.end(), options_.replay_topic) == options_.topics.end()) {
    rd_kafka_topic_partition_list_add(topics, options_.replay_topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_destroy(rk_);
    throw std::invalid_argument("cannot subscribe: " + internal::ErrorText(err));
  }
}

void Consumer::Impl::Start() {
  if (thread_.joinable() || closed_) return;
  thread_ = std::thread([this] {
    while (!Stopping()) {
      try {
        PollOnce(options_.poll_timeout);
      } catch (const std::exception& e) {
        // Only the test hook throws out of PollOnce; it stands for a crash, so stop here.
        log::Error("consumer loop ended", {{"group", options_.group_id}, {"error", e.what()}});
        return;
      }
    }
  });
}

void Consumer::Impl::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!closed_) {
    closed_ = true;
    // Commits the stored offsets and leaves the group now, so the partitions move to another
    // replica without waiting for the session to time out.
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
    dead_letters_.reset();
    if (replay_reader_ != nullptr) {
      rd_kafka_consumer_close(replay_reader_);
      rd_kafka_destroy(replay_reader_);
    }
  }
}

bool Consumer::Impl::Sleep(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  return !stop_requested_.wait_for(lock, duration, [&] { return stopping_; });
}

bool Consumer::Impl::PollOnce(std::chrono::milliseconds timeout) {
  if (closed_) return false;
  ResumeDuePartitions();
  if (std::chrono::steady_clock::now() >= next_prune_) PruneInbox();
  rd_kafka_message_t* raw = rd_kafka_consumer_poll(rk_, static_cast<int>(timeout.count()));
  if (raw == nullptr) return false;
  std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> message(raw, rd_kafka_message_destroy);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::Warn("kafka consumer error", {{"group", options_.group_id},
                                       {"error", rd_kafka_err2name(message->err)},
                                       {"detail", rd_kafka_message_errstr(message.get())}});
    return false;
  }
  Handle(*message);
  return true;
}

void Consumer::Impl::Handle(const rd_kafka_message_t& message) {
  if (rd_kafka_topic_name(message.rkt) == options_.replay_topic) {
    HandleReplay(message);
  } else {
    Handle(message, message);
  }
}

void Consumer::Impl::HandleReplay(const rd_kafka_message_t& request) {
  if (Header(request, kReplayForGroupHeader) != options_.group_id) {  // another group's, or none
    StoreOffset(request);
    Count(&Stats::replays_for_others);
    CountOutcome(request, "skipped");
    return;
  }
  const std::string topic = Header(request, kOriginalTopicHeader);
  const std::string partition_text = Header(request, kOriginalPartitionHeader);
  const std::string offset_text = Header(request, kOriginalOffsetHeader);
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::from_chars(partition_text.data(), partition_text.data() + partition_text.size(), partition);
  std::from_chars(offset_text.data(), offset_text.data() + offset_text.size(), offset);
  const bool ours = std::find(options_.topics.begin(), options_.topics.end(), topic) != options_.topics.end() &&
                    topic != options_.replay_topic && topic != kReplayTopic && topic != kDeadLetterTopic;
  const std::string where = topic.substr(0, 100) + " " + partition_text.substr(0, 20) + "/" + offset_text.substr(0, 20);
  if (!ours || partition < 0 || offset < 0) {
    DeadLetter(request, request, "not a replay request this group can act on: " + where, "");
    return;
  }
  Retry retry = TakeRetry(request);
  Fetched fetched;
  try {
    fetched = FetchAt(topic, partition, offset);
  } catch (const std::exception& e) {  // no answer: try the request again later, a bounded number of times
    if (++retry.failures >= options_.max_attempts) {
      DeadLetter(request, request, "could not read the event to replay at " + where + ": " + e.what(), "");
      return;
    }
    log::Warn("consumer: cannot read the event to replay now; trying again later",
              {{"group", options_.group_id}, {"at", where}, {"failures", retry.failures}, {"error", e.what()}});
    RetryLater(request, retry);
    return;
  }
  if (!fetched.message) {
    DeadLetter(request, request, "no event to replay at " + where + ": " + fetched.why, "");
    return;
  }
  log::Info("consumer: replaying an event from its topic", {{"group", options_.group_id}, {"at", where}});
  if (retry.waits == 0) Count(&Stats::replayed);  // once per request, not per try
  retry.offset = request.offset;
  retries_[{rd_kafka_topic_name(request.rkt), request.partition}] = retry;  // Handle takes it up again
  Handle(*fetched.message, request);
}

Consumer::Impl::Fetched Consumer::Impl::FetchAt(const std::string& topic, std::int32_t partition,
                                                std::int64_t offset) {
  char errstr[512];
  if (replay_reader_ == nullptr) {
    internal::KafkaConfig config = internal::ClientConfig(options_.bootstrap_servers, options_.tls);
    for (const auto& [name, value] : options_.kafka_config) config[name] = value;
    config.insert_or_assign("group.id", options_.group_id + "-replay");  // wanted to assign; never joined
    config.insert_or_assign("client.id", options_.group_id + "-replay");
    config.insert_or_assign("enable.auto.commit", "false");
    config.insert_or_assign("enable.auto.offset.store", "false");
    config.insert_or_assign("enable.partition.eof", "true");
    // An offset the topic no longer has is an error, not a jump to another event.
    config.insert_or_assign("auto.offset.reset", "error");
    // One message is wanted: no prefetching of what follows it.
    config.insert_or_assign("queued.min.messages", "1");
    config.insert_or_assign("fetch.max.bytes", "1048576");
    config.insert_or_assign("queued.max.messages.kbytes", "1024");
    rd_kafka_conf_t* conf = internal::MakeConf(config);
    replay_reader_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (replay_reader_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      throw Unavailable(std::string("cannot create the replay reader: ") + errstr);
    }
    rd_kafka_poll_set_consumer(replay_reader_);  // its errors and logs are served by its polls
  }
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(assignment, topic.c_str(), partition)->offset = offset;
  rd_kafka_assign(replay_reader_, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  struct Unassign {
    rd_kafka_t* rk;
    ~Unassign() { rd_kafka_assign(rk, nullptr); }
  } unassign{replay_reader_};
  auto gone = [](std::string why) { return Fetched{Message(nullptr, rd_kafka_message_destroy), std::move(why)}; };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && !Stopping()) {
    Message message(rd_kafka_consumer_poll(replay_reader_, 200), rd_kafka_message_destroy);
    if (!message) continue;
    const bool same_partition = message->rkt != nullptr && rd_kafka_topic_name(message->rkt) == topic &&
                                message->partition == partition;
    switch (message->err) {
      case RD_KAFKA_RESP_ERR_NO_ERROR:
        if (!same_partition || message->offset < offset) continue;  // left over from an earlier fetch
        if (message->offset == offset) return {std::move(message), ""};
        return gone("the topic has no message at that offset");
      case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        if (!same_partition) continue;
        return gone("past the end of the partition");
      case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
      case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
        return gone("the topic no longer has that offset (past its retention)");
      // Asking again would get the same answer.
      case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      case RD_KAFKA_RESP_ERR__INVALID_ARG:
        return gone(rd_kafka_err2str(message->err));
      default:
        log::Warn("consumer: replay reader", {{"group", options_.group_id}, {"error", rd_kafka_err2name(message->err)}});
    }
  }
  throw Unavailable("no answer from the broker for " + topic + " " + std::to_string(partition) + "/" +
                    std::to_string(offset) + " within 10 s");
}

Consumer::Impl::Retry Consumer::Impl::TakeRetry(const rd_kafka_message_t& position) {
  Retry retry;
  const Partition partition{rd_kafka_topic_name(position.rkt), position.partition};
  if (auto it = retries_.find(partition); it != retries_.end()) {
    if (it->second.offset == position.offset) retry = it->second;  // this message's next try
    retries_.erase(it);
  }
  return retry;
}

void Consumer::Impl::Handle(const rd_kafka_message_t& message, const rd_kafka_message_t& position) {
  const auto started = std::chrono::steady_clock::now();
  struct Timed {  // the handling time of every event, whatever its outcome
    const rd_kafka_message_t& message;
    std::chrono::steady_clock::time_point started;
    ~Timed() {
      Figures().seconds.Add({{"topic", rd_kafka_topic_name(message.rkt)}}, metrics::LatencyBuckets())
          .Observe(metrics::SecondsSince(started));
    }
  } timed{message, started};

  Envelope envelope;
  std::string decode_error;
  if (!Decode(message, &envelope, &decode_error)) {
    DeadLetter(message, position, decode_error, "");  // never applicable, so it holds no key back
    return;
  }

  // The event continues the trace of what caused it (the envelope's traceparent, written by the
  // outbox): a consumer span, current while the handler runs, so the events it writes and its log
  // lines belong to the same trace. An event without one starts a trace of its own.
  auto parent = trace::ParseTraceparent(envelope.trace().traceparent());
  auto span = parent ? trace::Span::ChildOf(*parent, envelope.event_type(), trace::Kind::kConsumer)
                     : trace::Span::Root(envelope.event_type(), trace::Kind::kConsumer);
  span.Tag("messaging.destination", rd_kafka_topic_name(message.rkt));
  span.Tag("messaging.kafka.partition", std::to_string(message.partition));
  span.Tag("messaging.kafka.offset", std::to_string(message.offset));
  span.Tag("messaging.consumer_group", options_.group_id);
  span.Tag("event_id", envelope.event_id());
  trace::ContextScope traced(span.context());

  Retry retry = TakeRetry(position);
  Outcome outcome = Outcome::kApplied;
  try {
    outcome = Apply(message, envelope);
  } catch (const HeldBehind& held) {
    span.Tag("outcome", "held");
    Park(message, position, envelope, held.what(), held.event_id);
    return;
  } catch (const std::exception& e) {
    span.Fail(e.what());
    const bool transient = IsTransient(e);
    if (!transient) ++retry.failures;
    log::Warn(transient ? "consumer: cannot apply event now; trying again later" : "consumer: handler failed",
              {{"group", options_.group_id},
               {"event_id", envelope.event_id()},
               {"event_type", envelope.event_type()},
               {"failures", retry.failures},
               {"error", e.what()}});
    if (retry.failures >= options_.max_attempts) {
      Park(message, position, envelope, e.what(), "");
      return;
    }
    RetryLater(position, retry);
    return;
  } catch (...) {
    span.Fail("handler threw a non-standard exception");
    ++retry.failures;
    log::Warn("consumer: handler failed with a non-standard exception",
              {{"group", options_.group_id}, {"event_id", envelope.event_id()}, {"failures", retry.failures}});
    if (retry.failures >= options_.max_attempts) {
      Park(message, position, envelope, "handler threw a non-standard exception", "");
      return;
    }
    RetryLater(position, retry);
    return;
  }

  // The hook may throw to simulate a crash: then the offset below is never committed.
  if (options_.after_transaction_commit) options_.after_transaction_commit(envelope);
  StoreOffset(position);
  const char* name = outcome == Outcome::kApplied ? "processed" : outcome == Outcome::kDuplicate ? "duplicate" : "skipped";
  span.Tag("outcome", name);
  CountOutcome(message, name);
  switch (outcome) {
    case Outcome::kApplied: Count(&Stats::applied); break;
    case Outcome::kDuplicate: Count(&Stats::duplicates); break;
    case Outcome::kSkipped: Count(&Stats::skipped); break;
  }
}

Consumer::Impl::Outcome Consumer::Impl::Apply(const rd_kafka_message_t& message, const Envelope& envelope) {
  // A copy of a dead letter that an earlier release replayed onto the event's own topic, for
  // another group: that group's business (ours applied it, or never had to). Replays are requests
  // on kReplayTopic now (HandleReplay), and the broker's ACLs let only a topic's owner write it.
  const std::string replay_for = Header(message, kReplayForGroupHeader);
  if (!replay_for.empty() && replay_for != options_.group_id) return Outcome::kSkipped;
  // A type this release has no handler for is not recorded: a later release that handles it can
  // re-read the topic (reset the group's offsets) and apply it then.
  const auto handler = handlers_.find(envelope.event_type());
  if (handler == handlers_.end()) return Outcome::kSkipped;

  auto lease = pool_.Acquire();
  pqxx::work txn(*lease);
  const std::string schema = txn.quote_name(options_.schema);
  txn.exec("SET LOCAL search_path TO " + schema);
  const std::string topic = rd_kafka_topic_name(message.rkt);
  const auto recorded = db::Exec(txn,
      "INSERT INTO " + schema +
          ".inbox (event_id, event_type, topic, \"partition\", \"offset\")"
          " VALUES ($1::uuid, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
      envelope.event_id(), envelope.event_type(), topic, static_cast<int>(message.partition),
      static_cast<long long>(message.offset));
  if (recorded.affected_rows() == 0) {
    txn.commit();
    return Outcome::kDuplicate;  // applied before: this is a redelivery
  }
  // Per-key order: while an earlier event of this key is parked, this one waits behind it; the
  // parked event itself (replayed, or read again) is the one that may go.
  const std::string key = Bytes(message.key, message.key_len);
  bool was_parked = key.empty();  // keyless events are not looked up by key: unpark by id, to be sure
  if (!key.empty()) {
    const auto oldest = db::Exec(txn,
        "SELECT event_id::text FROM " + schema + ".parked_events WHERE topic = $1 AND key = $2 ORDER BY id LIMIT 1",
        topic, key);
    if (!oldest.empty() && oldest[0][0].as<std::string>() != envelope.event_id()) {
      throw HeldBehind(oldest[0][0].as<std::string>(), key);
    }
    was_parked = !oldest.empty();  // it is this event itself
  }
  handler->second(txn, envelope);
  // Only a parked event that now applies has a row to delete: the common case costs no statement.
  if (was_parked) {
    db::Exec(txn, "DELETE FROM " + schema + ".parked_events WHERE event_id = $1::uuid", envelope.event_id());
  }
  txn.commit();
  return Outcome::kApplied;
}

void Consumer::Impl::RetryLater(const rd_kafka_message_t& message, Retry retry) {
  auto delay = options_.retry_backoff;
  for (int i = 0; i < retry.waits && delay < options_.max_retry_backoff; ++i) delay *= 2;
  delay = std::min(delay, options_.max_retry_backoff);
  ++retry.waits;
  retry.offset = message.offset;
  retry.resume_at = std::chrono::steady_clock::now() + delay;
  retry.resumed = false;

  const std::string topic = rd_kafka_topic_name(message.rkt);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_t* partition = rd_kafka_topic_partition_list_add(list, topic.c_str(), message.partition);
  // Pause first, then seek (librdkafka drops the partition's prefetched messages on pause and
  // would resume after this message; a seek before the pause can be lost).
  rd_kafka_pause_partitions(rk_, list);
  partition->offset = message.offset;
  if (rd_kafka_error_t* error = rd_kafka_seek_partitions(rk_, list, 10000)) {
    log::Warn("consumer: cannot rewind the partition; the event comes again after a rebalance",
              {{"group", options_.group_id}, {"error", rd_kafka_error_string(error)}});
    rd_kafka_error_destroy(error);
  }
  rd_kafka_topic_partition_list_destroy(list);
  retries_[{topic, message.partition}] = retry;
  Count(&Stats::retries);
  CountOutcome(message, "retried");
}

void Consumer::Impl::ResumeDuePartitions() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [partition, retry] : retries_) {
    if (retry.resumed || retry.resume_at > now) continue;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, partition.first.c_str(), partition.second);
    rd_kafka_resume_partitions(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    retry.resumed = true;  // kept until the event comes back, for its failure count
  }
}

void Consumer::Impl::Park(const rd_kafka_message_t& message, const rd_kafka_message_t& position,
                          const Envelope& envelope, const std::string& error, const std::string& held_behind) {
  // Recorded before the dead letter goes out: from now on later events of the key wait. Should
  // the process die before the offset commit, the event comes again, finds itself the oldest
  // parked event of its key, and is simply tried again.
  const std::string key = Bytes(message.key, message.key_len);
  for (;;) {
    try {
      auto lease = pool_.Acquire();
      pqxx::work txn(*lease);
      db::Exec(txn, "INSERT INTO " + txn.quote_name(options_.schema) +
                        ".parked_events (event_id, event_type, topic, key, \"partition\", \"offset\", error)"
                        " VALUES ($1::uuid, $2, $3, $4, $5, $6, $7)"
                        " ON CONFLICT (event_id) DO UPDATE SET error = EXCLUDED.error, parked_at = now()",
                    envelope.event_id(), envelope.event_type(), std::string(rd_kafka_topic_name(message.rkt)), key,
                    static_cast<int>(message.partition), static_cast<long long>(message.offset),
                    error.substr(0, 2000));
      txn.commit();
      break;
    } catch (const std::exception& e) {
      log::Warn("consumer: cannot park the event yet; retrying", {{"group", options_.group_id}, {"error", e.what()}});
      if (!Sleep(options_.retry_backoff)) return;
    }
  }
  if (!held_behind.empty()) Count(&Stats::held);
  DeadLetter(message, position, error, envelope.event_type(), held_behind);
}

void Consumer::Impl::DeadLetter(const rd_kafka_message_t& message, const rd_kafka_message_t& position,
                                const std::string& error, const std::string& event_type,
                                const std::string& held_behind) {
  const std::string topic = rd_kafka_topic_name(message.rkt);
  internal::OutgoingMessage copy{std::string(kDeadLetterTopic),
                                 Bytes(message.key, message.key_len),
                                 Bytes(message.payload, message.len),
                                 {{"error", error},
                                  {std::string(kOriginalTopicHeader), topic},
                                  {std::string(kOriginalPartitionHeader), std::to_string(message.partition)},
                                  {std::string(kOriginalOffsetHeader), std::to_string(message.offset)},
                                  {"consumer_group", options_.group_id},
                                  {"event_type", event_type}}};
  if (!held_behind.empty()) copy.headers.emplace_back("held_behind", held_behind);
  // Until the copy is safely in the dead-letter topic the original's offset stays put.
  for (;;) {
    try {
      if (!dead_letters_) {
        internal::KafkaConfig config = internal::ClientConfig(options_.bootstrap_servers, options_.tls);
        config.insert({{"client.id", options_.group_id + "-deadletter"}, {"message.timeout.ms", "10000"}});
        dead_letters_ = std::make_unique<internal::KafkaProducer>(config);
      }
      const auto result = dead_letters_->Deliver({copy}, std::chrono::seconds(12));
      if (result[0] == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      log::Warn("consumer: cannot dead-letter yet; retrying",
                {{"group", options_.group_id}, {"error", internal::ErrorText(result[0])}});
      if (dead_letters_->FatalError() != RD_KAFKA_RESP_ERR_NO_ERROR) dead_letters_.reset();
    } catch (const std::exception& e) {
      log::Warn("consumer: cannot dead-letter yet; retrying", {{"group", options_.group_id}, {"error", e.what()}});
    }
    if (!Sleep(options_.retry_backoff)) return;
  }
  log::Error("consumer: event dead-lettered", {{"group", options_.group_id},
                                               {"topic", topic},
                                               {"partition", message.partition},
                                               {"offset", message.offset},
                                               {"event_type", event_type},
                                               {"error", error}});
  StoreOffset(position);
  Count(&Stats::dead_lettered);
  CountOutcome(message, "dead_lettered");
  Figures().dead_lettered.Add({{"topic", rd_kafka_topic_name(message.rkt)}}).Increment();
}

void Consumer::Impl::PruneInbox() {
  next_prune_ = std::chrono::steady_clock::now() + options_.prune_interval;
  // Ids are kept well past the topics' retention, so no redelivery can outlive its inbox row;
  // small batches keep each delete short.
  try {
    long deleted = 0;
    for (int batch = 0; batch < 100; ++batch) {
      auto lease = pool_.Acquire();
      pqxx::work txn(*lease);
      const std::string inbox = txn.quote_name(options_.schema) + ".inbox";
      const auto result = db::Exec(txn,
          "DELETE FROM " + inbox + " WHERE event_id IN (SELECT event_id FROM " + inbox +
              " WHERE processed_at < now() - make_interval(secs => $1) LIMIT 1000)",
          static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(options_.inbox_retention).count()));
      txn.commit();
      deleted += result.affected_rows();
      if (result.affected_rows() < 1000) break;
    }
    if (deleted > 0) log::Info("consumer: pruned the inbox", {{"group", options_.group_id}, {"deleted", deleted}});
  } catch (const std::exception& e) {
    log::Warn("consumer: cannot prune the inbox now", {{"group", options_.group_id}, {"error", e.what()}});
  }
}

void Consumer::Impl::StoreOffset(const rd_kafka_message_t& message) {
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, rd_kafka_topic_name(message.rkt), message.partition)->offset =
      message.offset + 1;
  rd_kafka_resp_err_t err = rd_kafka_offsets_store(rk_, offsets);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = offsets->elems[0].err;
  rd_kafka_topic_partition_list_destroy(offsets);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // The partition was revoked meanwhile: harmless beyond a redelivery to its next owner, which
    // the inbox turns into a no-op.
    log::Warn("consumer: cannot store the offset", {{"group", options_.group_id},
                                                    {"partition", message.partition},
                                                    {"offset", message.offset},
                                                    {"error", internal::ErrorText(err)}});
  }
}

db::Migration ParkedEventsMigration() {
  return {910, "create_parked_events", R"sql(
-- Events this service's consumer dead-lettered, and the later events of the same key that wait
-- behind them: a key with a parked event applies nothing newer until that one is replayed.
CREATE TABLE parked_events (
    id          bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    event_type  text NOT NULL,
    topic       text NOT NULL,
    key         text NOT NULL,
    "partition" integer NOT NULL,
    "offset"    bigint NOT NULL,
    error       text NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parked_events_key ON parked_events (topic, key, id);
-- The inbox is pruned by age.
CREATE INDEX inbox_processed_at ON inbox (processed_at);
)sql"};
}

Consumer::Consumer(db::Pool& pool, ConsumerOptions options)
    : impl_(std::make_unique<Impl>(pool, std::move(options))) {}
Consumer::~Consumer() = default;
void Consumer::On(const std::string& event_type, EventHandler handler) { impl_->On(event_type, std::move(handler)); }
void Consumer::Start() { impl_->Start(); }
void Consumer::Stop() { impl_->Stop(); }
bool Consumer::PollOnce(std::chrono::milliseconds timeout) { return impl_->PollOnce(timeout); }
Consumer::Stats Consumer::stats() const { return impl_->stats(); }

std::string RequireUuid(const Envelope& event, std::string_view field, const std::string& value) {
  if (!storefront::types::IsUuid(value)) {
    Poison(event, std::string(field) + " must be a UUID, got '" + value.substr(0, 64) + "'");
  }
  return storefront::types::NormalizeUuid(value);
}

void Poison(const Envelope& event, std::string_view problem) {
  throw std::invalid_argument(event.event_type() + " " + event.event_id() + ": " + std::string(problem));
}

}  // namespace storefront::events
