// The outbox relay: publishes a service's outbox rows to Kafka, oldest first, and marks them
// sent. One implementation for every service. Its rules, with the tests that prove them, are in
// README.md ("The relay's rules").
//
// - Order per key: a row goes out only after every earlier row of its key (the aggregate id)
//   was delivered. A pass sends in rounds: per key, the run of its oldest rows bound for one
//   topic (one partition: the idempotent producer keeps them in order); a row for another topic
//   waits for the next round. A key whose row failed stops for the rest of the pass; other keys
//   go on, and every delivered row is marked sent, so nothing delivered is sent again.
//   One relay per schema publishes at a time (PostgreSQL advisory lock), so replicas do not race.
// - Retriable vs permanent (ClassifyDeliveryError): a broker away or a timeout is retried, with
//   backoff, for ever. An error that concerns the message itself and that no retry fixes (too
//   large, unknown topic once the metadata says so, invalid record, not authorised for the topic)
//   is a refusal; after max_refusals refusals the row is PARKED (parked_at, last_error; logged at
//   error) and skipped, and the later rows of its key are HELD until an operator un-parks it
//   (UnparkOutboxRow) or deletes it. ParkedCount() / ReadOutboxBacklog() show them.
// - Delivery: librdkafka's idempotent producer with acks=all; a row is marked sent only after
//   its delivery report.
// - Pruning: sent rows older than sent_retention are deleted in small batches on an idle pass, at
//   most every prune_interval. Unsent and parked rows are never pruned.
// - librdkafka 2.0.2 can raise a fatal idempotent-producer error after a disconnect (fixed
//   upstream in 2.3.0); the relay detects it (rd_kafka_fatal_error) and recreates its producer.
//   Rows already delivered but not yet marked are published again: consumers dedupe by event id.
// - Headers: event_type, event_id, traceparent; key: the aggregate id.
// - Figures: outbox_published_total by topic; the backlog (unsent rows, the oldest one's age,
//   parked rows) read about once a second (UpdateFigures).
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "shared/config/service_settings.h"
#include "shared/db/pool.h"

namespace storefront::events {

struct RelayOptions {
  std::string bootstrap_servers;
  config::TlsSettings tls = {};  // the process's identity for the broker; none: plaintext
  std::string schema;            // whose outbox
  std::string client_id;
  int batch_size = 100;
  std::chrono::milliseconds poll_interval{200};  // when the outbox was empty
  std::chrono::milliseconds max_backoff{5000};   // while the broker is away
  std::chrono::milliseconds delivery_timeout{10000};
  // Refusals (permanent errors, ClassifyDeliveryError) of one row before it is parked. More than
  // one, so that a refusal librdkafka gives while the cluster is still settling (a topic created
  // a moment ago) does not park the row at once.
  int max_refusals = 3;
  // Sent rows older than this are deleted; zero keeps them for ever.
  std::chrono::seconds sent_retention{std::chrono::hours(24 * 7)};
  // Pruning runs on a pass that found the outbox drained, at most this often.
  std::chrono::milliseconds prune_interval{std::chrono::minutes(10)};
  int prune_batch_size = 500;  // rows per DELETE transaction
  // How often the relay reads its backlog for the outbox_* figures (UpdateFigures).
  std::chrono::milliseconds figures_interval{1000};
  // Extra librdkafka producer settings (security, or tests' shorter timeouts); they override
  // the relay's own, except that idempotence and acks=all are what the relay is built on.
  std::map<std::string, std::string> kafka_config;
};

// Whether a failed delivery is worth retrying. kPermanent only for errors about the message
// itself that no retry can fix; everything else (a broker away, timeouts, a purged or fatal
// producer, errors this list does not know) is kRetriable: a row is never parked for something
// that may pass. Errors about the whole producer (configuration, cluster authorisation) stay
// retriable too: parking would park every row, and the log already says what is wrong.
enum class DeliveryFailure { kRetriable, kPermanent };
DeliveryFailure ClassifyDeliveryError(rd_kafka_resp_err_t err);

class OutboxRelay {
 public:
  OutboxRelay(db::Pool& pool, RelayOptions options);
  ~OutboxRelay();

  // Background thread: publish, sleep when idle, back off on failure.
  void Start();
  void Stop();
  // Wakes the thread now (after a commit that appended events), instead of at the next poll.
  void Notify();

  // One pass, on the caller's thread (tests): publishes up to batch_size rows; returns how many
  // were published and marked sent. Throws storefront::Unavailable when a row failed with a
  // retriable error, after recording every row's outcome. A refusal does not throw: it is
  // counted on its row, which is parked at max_refusals.
  int PublishPending();

  // Deletes sent rows older than sent_retention (none when it is zero), oldest first,
  // prune_batch_size per transaction and at most 20 transactions per call; returns how many.
  // Never an unsent or parked row. The background thread calls it on idle passes; public for
  // tests and tools.
  int PruneSent();

  // Rows parked in this schema's outbox (the operator's number to watch; ReadOutboxBacklog in
  // outbox.h also counts the rows held behind them).
  std::int64_t ParkedCount();

  // Reads the backlog into the outbox_unpublished_rows, outbox_parked_rows and
  // outbox_oldest_unpublished_age_seconds figures; the relay's thread calls it every
  // figures_interval, a test may call it directly.
  void UpdateFigures();

  // Test-only: raises a fatal idempotent-producer error on the current producer
  // (rd_kafka_test_fatal_error), as librdkafka 2.0.2 may after a disconnect, so a test can show
  // that the next pass recreates the producer. Throws if librdkafka refuses.
  void SimulateFatalErrorForTest();

 private:
  class Producer;
  struct PassOutcome {
    int published = 0;
    std::string failure;   // non-empty: rows failed with a retriable error (the broker is away)
    bool refused = false;  // a row was refused and is not parked yet
  };
  PassOutcome Pass();
  void Run();
  // Replaces a producer that raised a fatal error; `reason` is librdkafka's.
  void RecreateProducer(const std::string& reason);

  db::Pool& pool_;
  RelayOptions options_;
  std::unique_ptr<Producer> producer_;
  std::mutex pass_mutex_;  // one pass at a time (Run and a test's PublishPending)
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace storefront::events
