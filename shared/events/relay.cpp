#include "shared/events/relay.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "shared/errors/errors.h"
#include "shared/events/internal/kafka.h"
#include "shared/log/log.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::events {

class OutboxRelay::Producer : public internal::KafkaProducer {
 public:
  using KafkaProducer::KafkaProducer;
};

namespace {

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
    acquired_ = txn.exec_params("SELECT pg_try_advisory_lock(hashtext($1))", name_)[0][0].as<bool>();
  }
  PassLock(const PassLock&) = delete;
  PassLock& operator=(const PassLock&) = delete;
  ~PassLock() {
    if (!acquired_) return;
    try {
      pqxx::nontransaction txn(connection_);
      txn.exec_params("SELECT pg_advisory_unlock(hashtext($1))", name_);
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

std::vector<OutboxRow> SelectUnsent(pqxx::connection& connection, const std::string& schema, int limit) {
  pqxx::nontransaction txn(connection);
  const auto result = txn.exec_params("SELECT id, event_id::text, topic, key, event_type, envelope FROM " +
                                          txn.quote_name(schema) +
                                          ".outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1",
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

std::size_t DeliveredPrefix(const std::vector<rd_kafka_resp_err_t>& results) {
  std::size_t n = 0;
  while (n < results.size() && results[n] == RD_KAFKA_RESP_ERR_NO_ERROR) ++n;
  return n;
}

std::string IdArray(const std::vector<OutboxRow>& rows, std::size_t count) {
  std::string text = "{";
  for (std::size_t i = 0; i < count; ++i) text += (i == 0 ? "" : ",") + std::to_string(rows[i].id);
  return text + "}";
}

// Marks the delivered prefix sent; counts an attempt and records the error on each row after it
// that was tried. Rows never handed to librdkafka are left as they were.
void RecordOutcome(pqxx::connection& connection, const std::string& schema, const std::vector<OutboxRow>& rows,
                   const std::vector<rd_kafka_resp_err_t>& results, std::size_t prefix) {
  pqxx::work txn(connection);
  const std::string table = txn.quote_name(schema) + ".outbox";
  if (prefix > 0) {
    txn.exec_params("UPDATE " + table +
                        " SET sent_at = now(), attempts = attempts + 1, last_error = NULL"
                        " WHERE id = ANY($1::bigint[])",
                    IdArray(rows, prefix));
  }
  for (std::size_t i = prefix; i < rows.size(); ++i) {
    if (results[i] == RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS) continue;
    const std::string error = results[i] == RD_KAFKA_RESP_ERR_NO_ERROR
                                  ? "delivered after an earlier event failed; will be published again"
                                  : internal::ErrorText(results[i]);
    txn.exec_params("UPDATE " + table + " SET attempts = attempts + 1, last_error = $2 WHERE id = $1", rows[i].id,
                    error);
  }
  txn.commit();
}

internal::KafkaConfig ProducerConfig(const RelayOptions& options) {
  internal::KafkaConfig config = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"client.id", options.client_id.empty() ? "outbox-relay-" + options.schema : options.client_id},
      {"message.timeout.ms", std::to_string(options.delivery_timeout.count())},
  };
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

int OutboxRelay::PublishPending() {
  std::lock_guard pass(pass_mutex_);
  std::string reason;
  if (producer_->FatalError(&reason) != RD_KAFKA_RESP_ERR_NO_ERROR) RecreateProducer(reason);

  auto lease = pool_.Acquire();
  PassLock lock(*lease, "storefront.outbox." + options_.schema);
  if (!lock.acquired()) return 0;  // another replica's relay is publishing this outbox

  const std::vector<OutboxRow> rows = SelectUnsent(*lease, options_.schema, options_.batch_size);
  if (rows.empty()) return 0;
  std::vector<internal::OutgoingMessage> messages;
  messages.reserve(rows.size());
  for (const auto& row : rows) messages.push_back(row.message);

  // message.timeout.ms bounds every report; the margin lets the last one arrive.
  const auto wait = options_.delivery_timeout + std::chrono::seconds(2);
  std::vector<rd_kafka_resp_err_t> results = producer_->Deliver(messages, wait);
  std::size_t prefix = DeliveredPrefix(results);
  if (prefix < rows.size() && producer_->FatalError(&reason) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // A fatal producer error fails everything after it; one more go with a fresh producer.
    RecreateProducer(reason);
    const std::vector<internal::OutgoingMessage> rest(messages.begin() + static_cast<std::ptrdiff_t>(prefix),
                                                      messages.end());
    const auto again = producer_->Deliver(rest, wait);
    std::copy(again.begin(), again.end(), results.begin() + static_cast<std::ptrdiff_t>(prefix));
    prefix = DeliveredPrefix(results);
  }

  RecordOutcome(*lease, options_.schema, rows, results, prefix);
  if (prefix < rows.size()) {
    throw Unavailable("outbox relay: " + std::to_string(rows.size() - prefix) + " of " +
                      std::to_string(rows.size()) + " events not delivered (" +
                      internal::ErrorText(results[prefix]) + "); they will be retried");
  }
  return static_cast<int>(prefix);
}

void OutboxRelay::Run() {
  int failures = 0;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    notified_ = false;
    lock.unlock();
    int published = 0;
    bool failed = false;
    try {
      published = PublishPending();
    } catch (const std::exception& e) {
      failed = true;
      log::Warn("outbox relay pass failed", {{"schema", options_.schema}, {"error", e.what()}});
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
      if (published >= options_.batch_size) continue;  // there may be more waiting
      wake_.wait_for(lock, options_.poll_interval, [&] { return stopping_ || notified_; });
    }
  }
}

}  // namespace storefront::events
