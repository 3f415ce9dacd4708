#include "shared/events/relay.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include "shared/db/statement.h"
#include "shared/errors/errors.h"
#include "shared/events/internal/kafka.h"
#include "shared/log/log.h"
#include "shared/metrics/metrics.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::events {

class OutboxRelay::Producer : public internal::KafkaProducer {
 public:
  using KafkaProducer::KafkaProducer;
};

namespace {

// DELETE transactions per PruneSent call.
constexpr int kPruneBatchesPerCall = 20;

struct OutboxRow {
  std::int64_t id;
  std::string event_id;
  std::string event_type;
  internal::OutgoingMessage message;
};

// A session-level advisory lock held on one connection for one pass, so that of several
// replicas only one publishes a schema's outbox at a time (and rows go out in order).
class PassLock {
 public:
  PassLock(pqxx::connection& connection, std::string name) : connection_(connection), name_(std::move(name)) {
    pqxx::nontransaction txn(connection_);
    acquired_ = db::Exec(txn, "SELECT pg_try_advisory_lock(hashtext($1))", name_)[0][0].as<bool>();
  }
  PassLock(const PassLock&) = delete;
  PassLock& operator=(const PassLock&) = delete;
  ~PassLock() {
    if (!acquired_) return;
    try {
      pqxx::nontransaction txn(connection_);
      db::Exec(txn, "SELECT pg_advisory_unlock(hashtext($1))", name_);
    } catch (const std::exception&) {
      // A lock we could not release must not go back to the pool with its connection: closing
      // the session releases it, and the pool replaces a closed connection.
      try {
        connection_.disconnect();
      } catch (...) {
      }
    }
  }
  bool acquired() const { return acquired_; }

 private:
  pqxx::connection& connection_;
  std::string name_;
  bool acquired_ = false;
};

// The rows to publish, in id order: unsent, not parked, and not held behind a parked row of
// their key (which they must not overtake).
std::vector<OutboxRow> SelectPending(pqxx::connection& connection, const std::string& schema, int limit) {
  pqxx::nontransaction txn(connection);
  const std::string table = txn.quote_name(schema) + ".outbox";
  const auto result = db::Exec(txn,
      "SELECT id, event_id::text, topic, key, event_type, envelope FROM " + table +
          " o WHERE sent_at IS NULL AND parked_at IS NULL"
          "   AND NOT EXISTS (SELECT 1 FROM " + table +
          " p WHERE p.parked_at IS NOT NULL AND p.key = o.key AND p.id < o.id)"
          " ORDER BY id LIMIT $1",
      limit);
  std::vector<OutboxRow> rows;
  rows.reserve(result.size());
  for (const auto& r : result) {
    OutboxRow row;
    row.id = r[0].as<std::int64_t>();
    row.event_id = r[1].as<std::string>();
    row.event_type = r[4].as<std::string>();
    row.message.topic = r[2].as<std::string>();
    row.message.key = r[3].as<std::string>();
    row.message.value = pqxx::binarystring(r[5]).str();
    row.message.headers = {{"event_type", row.event_type}, {"event_id", row.event_id}};
    // The trace travels inside the envelope too; the header lets tracing work without parsing it.
    v1::EventEnvelope envelope;
    if (envelope.ParseFromString(row.message.value) && !envelope.trace().traceparent().empty()) {
      row.message.headers.emplace_back("traceparent", envelope.trace().traceparent());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The outbox's figures: how many events wait and for how long (the age of the oldest unsent row:
// the number that shows a relay falling behind or a broker away), how many are parked, and what
// was published per topic. Labelled by schema, which a process has one of.
struct RelayFigures {
  prometheus::Family<prometheus::Gauge>& unpublished;
  prometheus::Family<prometheus::Gauge>& oldest_age;
  prometheus::Family<prometheus::Gauge>& parked;
  prometheus::Family<prometheus::Counter>& published;
};

RelayFigures& Figures() {
  static RelayFigures figures{
      metrics::Gauges("outbox_unpublished_rows", "Outbox rows not yet delivered to Kafka, parked ones included."),
      metrics::Gauges("outbox_oldest_unpublished_age_seconds",
                      "Age of the oldest outbox row waiting for the relay (parked rows aside); 0 when none waits."),
      metrics::Gauges("outbox_parked_rows", "Outbox rows parked because Kafka refused them (an operator's task)."),
      metrics::Counters("outbox_published_total", "Events the relay delivered to Kafka, by topic.")};
  return figures;
}

// What last_error and the logs say: librdkafka's name of the error (greppable) and its text.
std::string Describe(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2name(err)) + ": " + internal::ErrorText(err);
}

std::string IdArray(const std::vector<std::int64_t>& ids) {
  std::string text = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) text += (i == 0 ? "" : ",") + std::to_string(ids[i]);
  return text + "}";
}

// A row that reached max_refusals in this pass, to be logged once the outcome is committed.
struct ParkedRow {
  const OutboxRow* row;
  std::string error;
  int attempts;
  int refusals;
};

struct RecordedOutcome {
  int sent = 0;
  int failed = 0;           // retriable, or behind an earlier failure of their key
  int refused = 0;          // refused and not parked (yet)
  std::string first_error;  // of the failed ones
  std::vector<ParkedRow> parked;
};

// Writes one pass's outcome in one transaction, walking the rows in id order:
//   delivered: sent (whatever else happened to its key);
//   the first failure of its key: an attempt and last_error; a refusal also counts towards
//     max_refusals and parks the row when it gets there;
//   a later row of that key that was tried and failed as well: an attempt and last_error, never a
//     refusal (it failed with or behind the first, not necessarily for a reason of its own);
//   not tried (results[i] == RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS): left as it was.
RecordedOutcome RecordOutcome(pqxx::connection& connection, const std::string& schema,
                              const std::vector<OutboxRow>& rows, const std::vector<rd_kafka_resp_err_t>& results,
                              int max_refusals) {
  pqxx::work txn(connection);
  const std::string table = txn.quote_name(schema) + ".outbox";
  std::vector<std::int64_t> sent;
  std::set<std::string> failed_keys;
  RecordedOutcome outcome;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const OutboxRow& row = rows[i];
    const rd_kafka_resp_err_t err = results[i];
    if (err == RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS) continue;
    const bool key_failed_before = failed_keys.count(row.message.key) > 0;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      sent.push_back(row.id);
      if (key_failed_before) {
        // Only a message timeout can leave such a gap in one partition; sending it again would
        // not undo it, and consumers would drop the copy.
        log::Warn("outbox relay: an event was delivered although an earlier one of its key failed",
                  {{"schema", schema}, {"id", row.id}, {"key", row.message.key}});
      }
      continue;
    }
    failed_keys.insert(row.message.key);
    const std::string error = Describe(err);
    if (key_failed_before || ClassifyDeliveryError(err) == DeliveryFailure::kRetriable) {
      db::Exec(txn, "UPDATE " + table + " SET attempts = attempts + 1, last_error = $2 WHERE id = $1", row.id,
                    error);
      if (outcome.failed++ == 0) outcome.first_error = error;
      continue;
    }
    const auto counted = db::Exec(txn,
        "UPDATE " + table +
            " SET attempts = attempts + 1, refusals = refusals + 1, last_error = $2,"
            "     parked_at = CASE WHEN refusals + 1 >= $3 THEN now() END"
            " WHERE id = $1 RETURNING parked_at IS NOT NULL, attempts, refusals",
        row.id, error, max_refusals)[0];
    if (counted[0].as<bool>()) {
      outcome.parked.push_back({&row, error, counted[1].as<int>(), counted[2].as<int>()});
    } else {
      ++outcome.refused;
      log::Warn("outbox relay: kafka refused an event; it is parked if it keeps refusing it",
                {{"schema", schema}, {"id", row.id}, {"topic", row.message.topic}, {"key", row.message.key},
                 {"error", error}, {"refusals", counted[2].as<int>()}, {"max_refusals", max_refusals}});
    }
  }
  if (!sent.empty()) {
    db::Exec(txn, "UPDATE " + table +
                      " SET sent_at = now(), attempts = attempts + 1, last_error = NULL"
                      " WHERE id = ANY($1::bigint[])",
                  IdArray(sent));
  }
  txn.commit();
  outcome.sent = static_cast<int>(sent.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (results[i] == RD_KAFKA_RESP_ERR_NO_ERROR) Figures().published.Add({{"topic", rows[i].message.topic}}).Increment();
  }
  return outcome;
}

// Asks the cluster about `topic` now. librdkafka applies every metadata answer to its topic
// state, so a topic it had marked missing and that exists now is known at once.
void RefreshTopic(internal::KafkaProducer& producer, const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer.handle(), topic.c_str(), nullptr);
  if (rkt == nullptr) return;
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(producer.handle(), 0, rkt, &metadata, static_cast<int>(timeout.count())) ==
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_metadata_destroy(metadata);
  }
  rd_kafka_topic_destroy(rkt);
}

// Replaces the relay's producer after a fatal error; returns the new one.
using RecreateProducerFn = std::function<internal::KafkaProducer&(const std::string& reason)>;

// Delivers one round (rows[i] for i in `round`, each key's rows in id order) and writes each
// row's result; a row not handed to librdkafka keeps RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS.
void DeliverRound(internal::KafkaProducer* producer, const RecreateProducerFn& recreate,
                  std::chrono::milliseconds delivery_timeout, const std::vector<OutboxRow>& rows,
                  const std::vector<std::size_t>& round, std::vector<rd_kafka_resp_err_t>& results, bool& recreated) {
  // message.timeout.ms bounds every report; the margin lets the last one arrive.
  const auto wait = delivery_timeout + std::chrono::seconds(2);
  std::vector<std::size_t> todo = round;
  std::set<std::string> failed_keys;
  std::set<std::string> refreshed_topics;
  while (!todo.empty()) {
    std::vector<internal::OutgoingMessage> messages;
    messages.reserve(todo.size());
    for (const std::size_t i : todo) messages.push_back(rows[i].message);
    std::vector<rd_kafka_resp_err_t> got = producer->Deliver(messages, wait);
    bool refreshed = false;
    for (std::size_t j = 0; j < todo.size(); ++j) {
      const std::string& topic = rows[todo[j]].message.topic;
      if (got[j] == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC && refreshed_topics.insert(topic).second) {
        // librdkafka refused it from what it remembers (re-checked about once a second): ask
        // again before counting a refusal, so that a topic created since (and its rows
        // un-parked) is found now; the row goes again below.
        RefreshTopic(*producer, topic, delivery_timeout);
        got[j] = RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS;
        refreshed = true;
        continue;
      }
      if (got[j] == RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS) continue;
      results[todo[j]] = got[j];
      if (got[j] != RD_KAFKA_RESP_ERR_NO_ERROR) failed_keys.insert(rows[todo[j]].message.key);
    }

    std::string reason;
    if (!recreated && !failed_keys.empty() && producer->FatalError(&reason) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // A fatal producer error fails everything after it: the round once more, with a fresh
      // producer (once per pass).
      producer = &recreate(reason);
      recreated = true;
      std::vector<std::size_t> again;
      for (const std::size_t i : round) {
        if (results[i] == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
        results[i] = RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS;
        again.push_back(i);
      }
      failed_keys.clear();
      todo = std::move(again);
      continue;
    }

    // librdkafka stops producing at a message it refuses outright (a topic it knows does not
    // exist, a message too large): the rest of the round was not handed over and goes now,
    // except the rows of a key that just failed.
    std::vector<std::size_t> next;
    for (std::size_t j = 0; j < todo.size(); ++j) {
      if (got[j] == RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS && failed_keys.count(rows[todo[j]].message.key) == 0) {
        next.push_back(todo[j]);
      }
    }
    if (next.size() == todo.size() && !refreshed) break;  // no progress; cannot happen, but never loop for ever
    todo = std::move(next);
  }
}

internal::KafkaConfig ProducerConfig(const RelayOptions& options) {
  internal::KafkaConfig config = internal::ClientConfig(options.bootstrap_servers, options.tls);
  config.insert({
      {"client.id", options.client_id.empty() ? "outbox-relay-" + options.schema : options.client_id},
      {"message.timeout.ms", std::to_string(options.delivery_timeout.count())},
      // librdkafka holds a message for a topic the cluster says does not exist for this long
      // (default 30 s, for a topic still being created) before failing it as unknown. Longer
      // than message.timeout.ms, the message would time out first, a retriable error, and a
      // missing topic would never be told apart from a slow broker.
      {"topic.metadata.propagation.max.ms",
       std::to_string(std::max<std::int64_t>(1, options.delivery_timeout.count() / 2))},
  });
  for (const auto& [name, value] : options.kafka_config) config[name] = value;
  // What the ordering and no-duplicates-within-a-session guarantees rest on.
  config["enable.idempotence"] = "true";
  config["acks"] = "all";
  return config;
}

}  // namespace

OutboxRelay::OutboxRelay(db::Pool& pool, RelayOptions options) : pool_(pool), options_(std::move(options)) {
  if (options_.bootstrap_servers.empty()) throw std::invalid_argument("outbox relay: bootstrap_servers is required");
  if (options_.schema.empty()) throw std::invalid_argument("outbox relay: schema is required");
  if (options_.batch_size <= 0) throw std::invalid_argument("outbox relay: batch_size must be positive");
  if (options_.delivery_timeout.count() <= 0) {
    throw std::invalid_argument("outbox relay: delivery_timeout must be positive");
  }
  if (options_.max_refusals <= 0) throw std::invalid_argument("outbox relay: max_refusals must be positive");
  if (options_.sent_retention.count() < 0) throw std::invalid_argument("outbox relay: sent_retention is negative");
  if (options_.prune_batch_size <= 0) throw std::invalid_argument("outbox relay: prune_batch_size must be positive");
  producer_ = std::make_unique<Producer>(ProducerConfig(options_));
}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // A pass waits for its own reports; this only catches stragglers of a pass that timed out.
  std::lock_guard pass(pass_mutex_);
  producer_->Flush(std::chrono::milliseconds(500));
}

void OutboxRelay::Notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

void OutboxRelay::RecreateProducer(const std::string& reason) {
  log::Warn("outbox relay: kafka producer raised a fatal error; recreating it",
            {{"schema", options_.schema}, {"reason", reason}});
  producer_.reset();  // drops what it still held: those rows are unsent and go out again
  producer_ = std::make_unique<Producer>(ProducerConfig(options_));
}

void OutboxRelay::SimulateFatalErrorForTest() {
  std::lock_guard pass(pass_mutex_);
  const rd_kafka_resp_err_t err = rd_kafka_test_fatal_error(
      producer_->handle(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "simulated by a test");
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("rd_kafka_test_fatal_error: " + internal::ErrorText(err));
  }
}

OutboxRelay::PassOutcome OutboxRelay::Pass() {
  std::lock_guard pass(pass_mutex_);
  std::string reason;
  if (producer_->FatalError(&reason) != RD_KAFKA_RESP_ERR_NO_ERROR) RecreateProducer(reason);

  auto lease = pool_.Acquire();
  PassLock lock(*lease, "storefront.outbox." + options_.schema);
  if (!lock.acquired()) return {};  // another replica's relay is publishing this outbox

  const std::vector<OutboxRow> rows = SelectPending(*lease, options_.schema, options_.batch_size);
  if (rows.empty()) return {};

  // Each key's rows, in id order; keys in the order of their oldest row.
  std::vector<std::string> keys;
  std::map<std::string, std::deque<std::size_t>> queues;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto& queue = queues[rows[i].message.key];
    if (queue.empty()) keys.push_back(rows[i].message.key);
    queue.push_back(i);
  }

  // One result per row; RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS: not tried.
  std::vector<rd_kafka_resp_err_t> results(rows.size(), RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS);
  bool recreated = false;
  for (;;) {
    // A round: per key still going, the run of its next rows bound for one topic.
    std::vector<std::size_t> round;
    for (const auto& key : keys) {
      auto& queue = queues[key];
      if (queue.empty()) continue;
      const std::string& topic = rows[queue.front()].message.topic;
      while (!queue.empty() && rows[queue.front()].message.topic == topic) {
        round.push_back(queue.front());
        queue.pop_front();
      }
    }
    if (round.empty()) break;
    DeliverRound(
        producer_.get(),
        [this](const std::string& reason) -> internal::KafkaProducer& {
          RecreateProducer(reason);
          return *producer_;
        },
        options_.delivery_timeout, rows, round, results, recreated);
    for (const std::size_t i : round) {
      if (results[i] != RD_KAFKA_RESP_ERR_NO_ERROR) queues[rows[i].message.key].clear();  // the key stops here
    }
  }

  const RecordedOutcome recorded = RecordOutcome(*lease, options_.schema, rows, results, options_.max_refusals);
  for (const auto& p : recorded.parked) {
    log::Error("outbox relay: parked an event kafka refuses; the later events of its key are held until an "
               "operator un-parks or deletes it (shared/events/README.md, Parking)",
               {{"schema", options_.schema}, {"id", p.row->id}, {"event_id", p.row->event_id},
                {"event_type", p.row->event_type}, {"topic", p.row->message.topic}, {"key", p.row->message.key},
                {"error", p.error}, {"attempts", p.attempts}, {"refusals", p.refusals}});
  }
  PassOutcome outcome;
  outcome.published = recorded.sent;
  outcome.refused = recorded.refused > 0;
  if (recorded.failed > 0) {
    outcome.failure = std::to_string(recorded.failed) + " of " + std::to_string(rows.size()) +
                      " events not delivered (first: " + recorded.first_error + "); they will be retried";
  }
  return outcome;
}

int OutboxRelay::PublishPending() {
  const PassOutcome outcome = Pass();
  if (!outcome.failure.empty()) throw Unavailable("outbox relay: " + outcome.failure);
  return outcome.published;
}

int OutboxRelay::PruneSent() {
  if (options_.sent_retention.count() == 0) return 0;
  // No pass lock: replicas pruning at once only wait on each other's row locks and then find
  // fewer rows. Bounded per call, so a backlog of years never holds the thread for long.
  int pruned = 0;
  for (int batch = 0; batch < kPruneBatchesPerCall; ++batch) {
    const auto deleted = db::WithTransaction(pool_, [&](pqxx::work& txn) {
      const std::string table = txn.quote_name(options_.schema) + ".outbox";
      return txn
          .exec_params("DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table +
                           " WHERE sent_at < now() - $1::interval ORDER BY sent_at LIMIT $2)",
                       std::to_string(options_.sent_retention.count()) + " seconds", options_.prune_batch_size)
          .affected_rows();
    });
    pruned += static_cast<int>(deleted);
    if (static_cast<int>(deleted) < options_.prune_batch_size) break;
  }
  if (pruned > 0) {
    log::Info("outbox relay pruned sent events",
              {{"schema", options_.schema}, {"rows", pruned},
               {"older_than_seconds", static_cast<std::int64_t>(options_.sent_retention.count())}});
  }
  return pruned;
}

void OutboxRelay::UpdateFigures() {
  db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    const std::string table = txn.quote_name(options_.schema) + ".outbox";
    // Each over its partial index (outbox_pending, outbox_parked), never over the sent rows kept
    // for sent_retention. The age is the oldest row the relay is to publish: a parked row waits for
    // an operator (outbox_parked_rows says so), not for the relay or Kafka.
    const std::string pending = " FROM " + table + " WHERE sent_at IS NULL AND parked_at IS NULL";
    const auto row = txn.exec(
        "SELECT (SELECT count(*)" + pending + "),"
        "       (SELECT count(*) FROM " + table + " WHERE parked_at IS NOT NULL AND sent_at IS NULL),"
        "       COALESCE(extract(epoch FROM now() - (SELECT created_at" + pending + " ORDER BY id LIMIT 1)), 0)::float8")[0];
    const prometheus::Labels labels = {{"schema", options_.schema}};
    auto& figures = Figures();
    figures.unpublished.Add(labels).Set(row[0].as<double>() + row[1].as<double>());
    figures.parked.Add(labels).Set(row[1].as<double>());
    figures.oldest_age.Add(labels).Set(std::max(0.0, row[2].as<double>()));
  });
}

std::int64_t OutboxRelay::ParkedCount() {
  return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    return txn.exec("SELECT count(*) FROM " + txn.quote_name(options_.schema) + ".outbox WHERE parked_at IS NOT NULL")[0][0]
        .as<std::int64_t>();
  });
}

DeliveryFailure ClassifyDeliveryError(rd_kafka_resp_err_t err) {
  switch (err) {
    // Too large for the broker (or librdkafka's message.max.bytes): the row will not shrink.
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    // The broker's validation rejected the record itself.
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    // The topic does not exist or cannot: librdkafka reports these only once the cluster's
    // metadata says so (after topic.metadata.propagation.max.ms), and auto-creation is off.
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    // This producer may not write to this topic.
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      return DeliveryFailure::kPermanent;
    default:
      return DeliveryFailure::kRetriable;
  }
}

void OutboxRelay::Run() {
  int failures = 0;
  auto next_prune = std::chrono::steady_clock::now();
  auto next_figures = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    notified_ = false;
    lock.unlock();
    PassOutcome outcome;
    bool failed = false;
    try {
      outcome = Pass();
      // A refusal is retried after the same backoff, so max_refusals spans more than a moment.
      failed = !outcome.failure.empty() || outcome.refused;
      if (!outcome.failure.empty()) {
        log::Warn("outbox relay pass failed", {{"schema", options_.schema}, {"error", outcome.failure}});
      }
    } catch (const std::exception& e) {
      failed = true;
      log::Warn("outbox relay pass failed", {{"schema", options_.schema}, {"error", e.what()}});
    }
    const bool idle = !failed && outcome.published < options_.batch_size;
    if (idle && std::chrono::steady_clock::now() >= next_prune) {
      int pruned = 0;
      try {
        pruned = PruneSent();
      } catch (const std::exception& e) {
        log::Warn("outbox relay could not prune", {{"schema", options_.schema}, {"error", e.what()}});
      }
      // A full call leaves more to delete: go on at the next idle pass.
      const bool more = pruned >= kPruneBatchesPerCall * options_.prune_batch_size;
      next_prune = std::chrono::steady_clock::now() + (more ? std::chrono::milliseconds(0) : options_.prune_interval);
    }
    // The backlog figures, at most once a figures_interval: one indexed query, not one per pass.
    if (std::chrono::steady_clock::now() >= next_figures) {
      try {
        UpdateFigures();
      } catch (const std::exception& e) {
        log::Debug("outbox relay could not read its backlog figures", {{"schema", options_.schema}, {"error", e.what()}});
      }
      next_figures = std::chrono::steady_clock::now() + options_.figures_interval;
    }
    lock.lock();
    if (stopping_) break;
    if (failed) {
      // poll_interval, doubling per consecutive failure, capped at max_backoff.
      ++failures;
      auto backoff = options_.poll_interval;
      for (int i = 1; i < failures && backoff < options_.max_backoff; ++i) backoff *= 2;
      backoff = std::min(backoff, options_.max_backoff);
      wake_.wait_for(lock, backoff, [&] { return stopping_; });
    } else {
      failures = 0;
      if (!idle) continue;  // there may be more waiting
      wake_.wait_for(lock, options_.poll_interval, [&] { return stopping_ || notified_; });
    }
  }
}

}  // namespace storefront::events
