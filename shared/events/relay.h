// The outbox relay: publishes a service's outbox rows to Kafka, oldest first, and marks them
// sent. One implementation for every service.
//
// - Order: rows go out in id order; a batch stops at the first failure, so a later event of an
//   aggregate never overtakes an earlier one. One relay per schema publishes at a time
//   (PostgreSQL advisory lock), so replicas do not race.
// - Delivery: librdkafka's idempotent producer with acks=all; a row is marked sent only after
//   its delivery report. While the broker is away the relay retries with exponential backoff.
// - librdkafka 2.0.2 can raise a fatal idempotent-producer error after a disconnect (fixed
//   upstream in 2.3.0); the relay detects it (rd_kafka_fatal_error) and recreates its producer.
//   Rows already delivered but not yet marked are published again: consumers dedupe by event id.
// - Headers: event_type, event_id, traceparent; key: the aggregate id.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "shared/db/pool.h"

namespace storefront::events {

struct RelayOptions {
  std::string bootstrap_servers;
  std::string schema;  // whose outbox
  std::string client_id;
  int batch_size = 100;
  std::chrono::milliseconds poll_interval{200};  // when the outbox was empty
  std::chrono::milliseconds max_backoff{5000};   // while the broker is away
  std::chrono::milliseconds delivery_timeout{10000};
  // Extra librdkafka producer settings (security, or tests' shorter timeouts); they override
  // the relay's own, except that idempotence and acks=all are what the relay is built on.
  std::map<std::string, std::string> kafka_config;
};

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
  // were published and marked sent. Throws on broker failure after marking what did go out.
  int PublishPending();

  // Test-only: raises a fatal idempotent-producer error on the current producer
  // (rd_kafka_test_fatal_error), as librdkafka 2.0.2 may after a disconnect, so a test can show
  // that the next pass recreates the producer. Throws if librdkafka refuses.
  void SimulateFatalErrorForTest();

 private:
  class Producer;
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
