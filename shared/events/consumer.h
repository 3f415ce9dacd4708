// The consumer loop shared by every service that reacts to events.
//
// - Consumer groups: replicas of a service share the topic's partitions.
// - Idempotent: each event's id goes into <schema>.inbox in the same transaction as the
//   handler's changes; an event id already there is skipped, so a redelivered event changes
//   nothing.
// - Offsets move only past events the loop is done with: an event's offset is stored after the
//   handler's transaction committed, and stored offsets are committed every 100 ms
//   (auto.commit.interval.ms), on revocation and on close, one OffsetCommit for many events. A
//   consumer killed before that re-reads the events and the inbox makes the second delivery a
//   no-op.
// - Retries never stall the other partitions: an event whose handler failed is tried again after
//   an exponential backoff (retry_backoff doubling up to max_retry_backoff); meanwhile only its
//   partition is paused (and rewound to it), every other partition flows on, and the loop keeps
//   polling, so the group never evicts a replica for one stuck event.
// - Transient failures say nothing about the event (the database or a dependency away, a lock or
//   statement timeout, a serialization failure: IsTransient); they are retried without limit.
// - Poison: a message that cannot be decoded, or whose handler failed max_attempts times, is
//   copied to the dead-letter topic with the error in its headers, its offset is stored, and
//   the loop goes on. An event that was dead-lettered is also "parked" in <schema>.parked_events,
//   and later events of the same key (the aggregate) park behind it instead of overtaking it, so
//   one aggregate's events are applied in order or not at all. Replaying the parked event applies
//   it and frees its key; a parked event that is not the oldest of its key parks again.
// - Replays: every consumer also reads kReplayTopic, where the operator's dead-letter replay puts
//   a request naming the group and the event's topic, partition and offset (topics.h). The group
//   it names reads the event from that topic (a second, assigned handle) and handles it as if it
//   had just arrived: the event, never the dead letter's copy, is what gets applied, so a forged
//   dead letter or request can at most make a group re-read what the topic's owner published.
//   Retries and commits of a replay go by the request's offset. Other groups pass over it.
// - Events of types nobody registered a handler for are skipped and not recorded, so a later
//   release that handles them can re-read the topic (reset the group's offsets) and apply them.
// - The inbox keeps event ids for inbox_retention (longer than the topics keep messages) and is
//   pruned by the loop itself.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "shared/config/service_settings.h"
#include "shared/db/migrations.h"
#include "shared/db/pool.h"
#include "shared/events/topics.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::events {

using Envelope = storefront::events::v1::EventEnvelope;

// Runs inside the transaction that also records the event in the inbox, with search_path set to
// the consumer's schema. Throw to fail; the transaction rolls back and the event is retried
// (then dead-lettered). Throwing pqxx::broken_connection, db::PoolExhausted or
// storefront::Unavailable says "not this event's fault": the event is retried without limit.
using EventHandler = std::function<void(pqxx::work& txn, const Envelope& event)>;

struct ConsumerOptions {
  std::string bootstrap_servers;
  config::TlsSettings tls = {};  // the process's identity for the broker; none: plaintext
  std::string group_id;          // e.g. "cart"
  // Static group membership (KIP-345): a stable name per replica ("inventory-1"). A replica that
  // restarts with the same name takes its partitions back at once, without a rebalance, instead
  // of leaving them unread until the dead member's session times out. Empty: dynamic membership.
  // Two live consumers must never share a name (the broker fences the older one).
  std::string group_instance_id;
  std::vector<std::string> topics;
  std::string schema;  // whose inbox
  // Where the operators' replay requests come from (every consumer reads it besides `topics`);
  // tests give each test a topic of its own.
  std::string replay_topic = std::string(kReplayTopic);
  // With these defaults a failing event is tried 8 times over about a minute (0.5 s, 1 s, ...,
  // 30 s) before it is dead-lettered: long enough to outlast a deploy of a dependency or a lock
  // held by a long transaction, short enough that a poison event does not hold its key for long.
  int max_attempts = 8;
  std::chrono::milliseconds retry_backoff{500};
  std::chrono::milliseconds max_retry_backoff{30000};
  std::chrono::milliseconds poll_timeout{200};
  std::chrono::hours inbox_retention{24 * 14};  // the topics keep messages 7 days (Kafka's default)
  std::chrono::milliseconds prune_interval{std::chrono::minutes(10)};
  // Extra librdkafka consumer settings (security, tests' shorter session timeouts, another
  // auto.commit.interval.ms). Storing offsets only after an event's transaction is what the loop
  // is built on: enable.auto.commit and enable.auto.offset.store cannot be changed here.
  std::map<std::string, std::string> kafka_config;
  // Exists for tests of crash windows: called after the event's transaction committed and
  // before its offset is stored. A test throws from it to "kill" the consumer right there:
  // the exception leaves PollOnce (on the Start thread it ends the loop), the offset stays
  // uncommitted, and the next consumer of the group gets the event again.
  std::function<void(const Envelope&)> after_transaction_commit;
};

class Consumer {
 public:
  Consumer(db::Pool& pool, ConsumerOptions options);
  ~Consumer();

  // Registers the handler for one event_type (before Start).
  void On(const std::string& event_type, EventHandler handler);

  // Runs PollOnce on a background thread until Stop.
  void Start();
  // Joins the thread and leaves the consumer group (rd_kafka_consumer_close). Final: a stopped
  // consumer does not start again.
  void Stop();

  // One poll on the caller's thread (tests): handles at most one message; returns true if one
  // was handled, skipped or dead-lettered. Not to be mixed with Start.
  bool PollOnce(std::chrono::milliseconds timeout);

  struct Stats {
    long applied = 0;
    long duplicates = 0;
    long dead_lettered = 0;
    long skipped = 0;  // types without a handler, and copies an earlier release replayed for another group
    long replayed = 0;            // replay requests for this group taken up (the event also counts as applied, ...)
    long replays_for_others = 0;  // replay requests for other groups, passed over
    long retries = 0;  // backoffs scheduled (failures and transient waits)
    long held = 0;     // events parked behind an earlier parked event of their key
  };
  Stats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// True for failures that say nothing about the event being handled: a broken or exhausted
// database connection, storefront::Unavailable, a serialization failure or deadlock, and by
// SQLSTATE a lock or statement timeout, an administrator's shutdown, too many connections.
bool IsTransient(const std::exception& e);

// The table of events parked by a consumer (dead-lettered, or held behind one of their key):
// services that consume add it with the inbox (ServiceEvents::WithEventTables).
db::Migration ParkedEventsMigration();

// Decodes the typed payload of an envelope; throws std::runtime_error when it does not parse.
template <typename Payload>
Payload PayloadOf(const Envelope& event) {
  Payload payload;
  if (!payload.ParseFromString(event.payload())) {
    throw std::runtime_error("payload of " + event.event_type() + " does not parse as " +
                             Payload::descriptor()->full_name());
  }
  return payload;
}

// The id in a payload's `field` when it is a UUID, in lower case (the form PostgreSQL returns).
// Anything else makes the event poison: std::invalid_argument naming the event and the field, so
// the consumer dead-letters it instead of writing garbage keyed by a bad id.
std::string RequireUuid(const Envelope& event, std::string_view field, const std::string& value);

// Makes the event poison for any other reason: throws std::invalid_argument naming the event and
// `problem` ("customer_id must be ..."), which the consumer dead-letters.
[[noreturn]] void Poison(const Envelope& event, std::string_view problem);

}  // namespace storefront::events
