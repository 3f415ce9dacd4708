#include "shared/events/consumer.h"

#include <librdkafka/rdkafka.h>

#include <condition_variable>
#include <stdexcept>

#include "shared/errors/errors.h"
#include "shared/types/uuid.h"
#include "shared/events/internal/kafka.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"

namespace storefront::events {
namespace {

// Failures that say nothing about the event: the database or a dependency is away, or the
// transaction lost a race. Retried without counting towards max_attempts.
bool IsTransient(const std::exception& e) {
  return dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
         dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr ||
         dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr ||
         dynamic_cast<const db::PoolExhausted*>(&e) != nullptr || dynamic_cast<const Unavailable*>(&e) != nullptr;
}

std::string Bytes(const void* data, std::size_t size) {
  return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), size);
}

// Decodes a message into an envelope we can record: it must parse and carry an event id and type.
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
  enum class Outcome { kApplied, kDuplicate };

  void Handle(const rd_kafka_message_t& message);
  Outcome Apply(const rd_kafka_message_t& message, const Envelope& envelope);
  void DeadLetter(const rd_kafka_message_t& message, const std::string& error, const std::string& event_type);
  void CommitOffset(const rd_kafka_message_t& message);
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
  bool closed_ = false;
  std::thread thread_;

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

  internal::KafkaConfig config = {
      {"bootstrap.servers", options_.bootstrap_servers},
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
  };
  if (!options_.group_instance_id.empty()) config["group.instance.id"] = options_.group_instance_id;
  for (const auto& [name, value] : options_.kafka_config) config[name] = value;
  // Offsets move only when this loop commits them, after the event's transaction.
  config["enable.auto.commit"] = "false";
  config["enable.auto.offset.store"] = "false";

  rd_kafka_conf_t* conf = internal::MakeConf(config);
  char errstr[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::invalid_argument(std::string("cannot create a kafka consumer: ") + errstr);
  }
  rd_kafka_poll_set_consumer(rk_);  // logs and errors are served by consumer_poll too

  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size()));
  for (const auto& topic : options_.topics) {
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
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
    // Leaves the group now, so the partitions move to another replica without waiting for the
    // session to time out. Auto-commit is off, so nothing is committed here.
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
    dead_letters_.reset();
  }
}

bool Consumer::Impl::Sleep(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  return !stop_requested_.wait_for(lock, duration, [&] { return stopping_; });
}

bool Consumer::Impl::PollOnce(std::chrono::milliseconds timeout) {
  if (closed_) return false;
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
  Envelope envelope;
  std::string decode_error;
  if (!Decode(message, &envelope, &decode_error)) {
    DeadLetter(message, decode_error, "");
    return;
  }

  Outcome outcome = Outcome::kApplied;
  for (int attempt = 1;; ) {
    if (Stopping()) return;  // offset not committed: the group hands the event out again
    try {
      outcome = Apply(message, envelope);
      break;
    } catch (const std::exception& e) {
      if (IsTransient(e)) {
        log::Warn("consumer: cannot apply event now; waiting", {{"group", options_.group_id},
                                                                {"event_id", envelope.event_id()},
                                                                {"error", e.what()}});
        Sleep(options_.retry_backoff);
        continue;
      }
      log::Warn("consumer: handler failed", {{"group", options_.group_id},
                                             {"event_id", envelope.event_id()},
                                             {"event_type", envelope.event_type()},
                                             {"attempt", attempt},
                                             {"error", e.what()}});
      if (attempt >= options_.max_attempts) {
        DeadLetter(message, e.what(), envelope.event_type());
        return;
      }
    } catch (...) {
      log::Warn("consumer: handler failed with a non-standard exception",
                {{"group", options_.group_id}, {"event_id", envelope.event_id()}, {"attempt", attempt}});
      if (attempt >= options_.max_attempts) {
        DeadLetter(message, "handler threw a non-standard exception", envelope.event_type());
        return;
      }
    }
    ++attempt;
    Sleep(options_.retry_backoff);
  }

  // The hook may throw to simulate a crash: then the offset below is never committed.
  if (options_.after_transaction_commit) options_.after_transaction_commit(envelope);
  CommitOffset(message);
  Count(outcome == Outcome::kApplied ? &Stats::applied : &Stats::duplicates);
}

Consumer::Impl::Outcome Consumer::Impl::Apply(const rd_kafka_message_t& message, const Envelope& envelope) {
  auto lease = pool_.Acquire();
  pqxx::work txn(*lease);
  const std::string schema = txn.quote_name(options_.schema);
  txn.exec("SET LOCAL search_path TO " + schema);
  const auto recorded = txn.exec_params(
      "INSERT INTO " + schema +
          ".inbox (event_id, event_type, topic, \"partition\", \"offset\")"
          " VALUES ($1::uuid, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
      envelope.event_id(), envelope.event_type(), std::string(rd_kafka_topic_name(message.rkt)),
      static_cast<int>(message.partition), static_cast<long long>(message.offset));
  if (recorded.affected_rows() == 0) {
    txn.commit();
    return Outcome::kDuplicate;  // applied before: this is a redelivery
  }
  // Types nobody handles are recorded too, so a redelivery of them is as cheap as one of ours.
  if (auto handler = handlers_.find(envelope.event_type()); handler != handlers_.end()) {
    handler->second(txn, envelope);
  }
  txn.commit();
  return Outcome::kApplied;
}

void Consumer::Impl::DeadLetter(const rd_kafka_message_t& message, const std::string& error,
                                const std::string& event_type) {
  const std::string topic = rd_kafka_topic_name(message.rkt);
  internal::OutgoingMessage copy{std::string(kDeadLetterTopic),
                                 Bytes(message.key, message.key_len),
                                 Bytes(message.payload, message.len),
                                 {{"error", error},
                                  {"original_topic", topic},
                                  {"original_partition", std::to_string(message.partition)},
                                  {"original_offset", std::to_string(message.offset)},
                                  {"consumer_group", options_.group_id},
                                  {"event_type", event_type}}};
  // Until the copy is safely in the dead-letter topic the original's offset stays put.
  for (;;) {
    try {
      if (!dead_letters_) {
        internal::KafkaConfig config = {{"bootstrap.servers", options_.bootstrap_servers},
                                        {"client.id", options_.group_id + "-deadletter"},
                                        {"message.timeout.ms", "10000"}};
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
  CommitOffset(message);
  Count(&Stats::dead_lettered);
}

void Consumer::Impl::CommitOffset(const rd_kafka_message_t& message) {
  const rd_kafka_resp_err_t err = rd_kafka_commit_message(rk_, &message, 0 /* synchronous */);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Harmless beyond a redelivery, which the inbox turns into a no-op.
    log::Warn("consumer: offset commit failed", {{"group", options_.group_id},
                                                 {"partition", message.partition},
                                                 {"offset", message.offset},
                                                 {"error", internal::ErrorText(err)}});
  }
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
    throw std::invalid_argument(event.event_type() + " " + event.event_id() + ": " + std::string(field) +
                                " must be a UUID, got '" + value.substr(0, 64) + "'");
  }
  return storefront::types::NormalizeUuid(value);
}

}  // namespace storefront::events
