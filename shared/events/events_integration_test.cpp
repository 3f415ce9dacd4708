// The outbox, the relay and the consumer against a real PostgreSQL (SharedPostgres) and a real
// Apache Kafka broker (KafkaBroker), one of each for the whole binary. Each test migrates its own
// schema (owned by the shipping role) holding the outbox, the inbox and two tiny tables: `orders`
// for a producer's state change, `things` for a handler to write; and it publishes to a topic of
// its own, read by consumer groups of its own, so no test sees another's events.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "shared/db/migrations.h"
#include "shared/errors/errors.h"
#include "shared/events/consumer.h"
#include "shared/events/internal/kafka.h"
#include "shared/events/outbox.h"
#include "shared/events/relay.h"
#include "shared/events/service_events.h"
#include "shared/events/topic_log.h"
#include "shared/events/topics.h"
#include "shared/metrics/metrics.h"
#include "shared/testing/figures.h"
#include "shared/testing/kafka_broker.h"
#include "shared/testing/postgres.h"
#include "shared/testing/span_sink.h"
#include "shared/trace/span.h"
#include "storefront/events/v1/catalog_events.pb.h"

namespace storefront::events {
namespace {

using namespace std::chrono_literals;
using storefront::testing::KafkaBroker;
using storefront::testing::SharedPostgres;
using storefront::testing::Figure;

// Every wait in these tests polls for a condition and gives up after this long; nothing asserts
// on how long anything took.
constexpr auto kCap = 30s;
const std::string kChanged(types::kProductChanged);

template <typename Condition>
bool Eventually(Condition done) {
  const auto deadline = std::chrono::steady_clock::now() + kCap;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

struct DeadLetter {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Reads the dead-letter topic from the beginning until `count` messages that came from `topic`
// arrived (or the cap); the dead letters of other tests' topics are skipped.
std::vector<DeadLetter> ReadDeadLetters(const std::string& bootstrap, const std::string& topic, std::size_t count) {
  rd_kafka_conf_t* conf = internal::MakeConf({{"bootstrap.servers", bootstrap},
                                              {"group.id", "dead-letter-reader"},
                                              {"enable.auto.commit", "false"}});
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  EXPECT_NE(rk, nullptr) << errstr;
  if (rk == nullptr) return {};
  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(3);
  for (int p = 0; p < 3; ++p) {
    rd_kafka_topic_partition_list_add(partitions, std::string(kDeadLetterTopic).c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, partitions);
  rd_kafka_topic_partition_list_destroy(partitions);

  std::vector<DeadLetter> letters;
  const auto deadline = std::chrono::steady_clock::now() + kCap;
  while (letters.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk, 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      DeadLetter letter;
      letter.key.assign(static_cast<const char*>(message->key), message->key_len);
      letter.value.assign(static_cast<const char*>(message->payload), message->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          letter.headers[name] = std::string(static_cast<const char*>(value), size);
        }
      }
      if (letter.headers["original_topic"] == topic) letters.push_back(std::move(letter));
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return letters;
}

// Appends one ProductChanged for aggregate `key` to `schema`'s outbox, in the caller's transaction;
// `version` 0 lets Append number it. Returns the event id.
std::string AppendRow(pqxx::transaction_base& txn, const std::string& schema, const std::string& topic,
                      const std::string& key, const std::string& note, const std::string& aggregate_type = "product",
                      std::int64_t version = 0) {
  v1::ProductChanged payload;
  payload.set_product_id(key);
  payload.set_name(note);
  return Append(txn, schema, "events-test",
                {.topic = topic,
                 .event_type = kChanged,
                 .aggregate_type = aggregate_type,
                 .aggregate_id = key,
                 .payload = &payload,
                 .traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                 .aggregate_version = version});
}

class EventsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { broker_ = new KafkaBroker("events-kafka"); }
  static void TearDownTestSuite() { delete broker_; }

  void SetUp() override {
    ASSERT_FALSE(broker_->bootstrap().empty()) << "Apache Kafka did not start:\n" << broker_->Log();
    schema_ = FreshSchema();
    topic_ = "storefront.test." + schema_ + ".v1";
    broker_->CreateTopic(topic_);
    replays_ = "storefront.test." + schema_ + ".replay.v1";  // this test's replay requests only
    broker_->CreateTopic(replays_);
    pqxx::connection connection(SharedPostgres().Dsn("shipping"));
    db::Migrate(connection, schema_,
                {OutboxMigration(), OutboxParkingAndVersionsMigration(), InboxMigration(), ParkedEventsMigration(),
                 {1, "create_orders", "CREATE TABLE orders (id text PRIMARY KEY)"},
                 {2, "create_things",
                  "CREATE TABLE things (id bigserial PRIMARY KEY, event_id uuid NOT NULL,"
                  " aggregate_id text NOT NULL, note text NOT NULL)"}});
  }

  // A schema named after the test, owned by the shipping role, as migrations_test does it.
  static std::string FreshSchema() {
    std::string name = "ev_";
    for (char c : std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())) {
      if (std::isalnum(static_cast<unsigned char>(c))) name += static_cast<char>(std::tolower(c));
    }
    return storefront::testing::FreshSchema(name.substr(0, 60), "shipping");
  }

  RelayOptions RelayOptionsForTest() {
    RelayOptions options;
    options.bootstrap_servers = broker_->bootstrap();
    options.schema = schema_;
    options.client_id = "relay-" + schema_;
    options.poll_interval = 100ms;
    options.max_backoff = 1s;
    options.delivery_timeout = 3s;
    options.kafka_config = {{"reconnect.backoff.max.ms", "1000"}};  // back soon after a restart
    return options;
  }

  ConsumerOptions ConsumerOptionsForTest(const std::string& group) {
    ConsumerOptions options;
    options.bootstrap_servers = broker_->bootstrap();
    options.group_id = group;
    options.topics = {topic_};
    options.replay_topic = replays_;
    options.schema = schema_;
    options.max_attempts = 3;
    options.retry_backoff = 20ms;
    options.poll_timeout = 100ms;
    // A member that went away without leaving is noticed within the broker's shortest session
    // (group.min.session.timeout.ms, 6 s), not the services' 30 s.
    options.kafka_config = {{"session.timeout.ms", "6000"},
                            {"heartbeat.interval.ms", "500"},
                            {"reconnect.backoff.max.ms", "1000"}};
    return options;
  }

  // The handler the tests use: one row in `things` per applied event (unqualified: the consumer
  // runs handlers with search_path set to its schema).
  static void WriteThing(pqxx::work& txn, const Envelope& event) {
    const auto payload = PayloadOf<v1::ProductChanged>(event);
    txn.exec_params("INSERT INTO things (event_id, aggregate_id, note) VALUES ($1::uuid, $2, $3)", event.event_id(),
                    event.aggregate_id(), payload.name());
  }

  std::string AppendChange(pqxx::work& txn, const std::string& aggregate_id, const std::string& note) {
    return AppendRow(txn, schema_, topic_, aggregate_id, note);
  }


  std::string AppendCommitted(const std::string& aggregate_id, const std::string& note) {
    return db::WithTransaction(pool_, [&](pqxx::work& txn) { return AppendChange(txn, aggregate_id, note); });
  }

  long Count(const std::string& sql) {
    return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
      txn.exec("SET search_path TO " + txn.quote_name(schema_));
      return txn.exec(sql)[0][0].as<long>();
    });
  }

  long Unsent() { return Count("SELECT count(*) FROM outbox WHERE sent_at IS NULL"); }

  // Polls on the test's thread until `done` holds (or the cap).
  static bool PollUntil(Consumer& consumer, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kCap;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      consumer.PollOnce(100ms);
    }
    return true;
  }

  static KafkaBroker* broker_;
  std::string schema_;
  std::string topic_;
  std::string replays_;  // the replay topic its consumers read (ConsumerOptions::replay_topic)
  db::Pool pool_{SharedPostgres().Dsn("shipping"), 4};
};

TEST_F(EventsTest, AppendWritesTheWholeEnvelopeInTheCallersTransaction) {
  v1::ProductChanged payload;
  payload.set_product_id("p-1");
  payload.set_name("lamp");
  std::string event_id;
  {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    event_id = Append(txn, schema_, "catalog",
                      {.topic = topic_,
                       .event_type = kChanged,
                       .aggregate_type = "product",
                       .aggregate_id = "p-1",
                       .payload = &payload,
                       .traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                       .aggregate_version = 7});
    txn.commit();
  }
  const auto row = db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    return txn.exec_params("SELECT event_id::text, topic, key, event_type, envelope, sent_at IS NULL, attempts FROM " +
                               txn.quote_name(schema_) + ".outbox")[0];
  });
  EXPECT_EQ(row[0].as<std::string>(), event_id);
  EXPECT_EQ(row[1].as<std::string>(), topic_);
  EXPECT_EQ(row[2].as<std::string>(), "p-1");
  EXPECT_EQ(row[3].as<std::string>(), kChanged);
  EXPECT_TRUE(row[5].as<bool>());
  EXPECT_EQ(row[6].as<int>(), 0);

  Envelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(pqxx::binarystring(row[4]).str()));
  EXPECT_EQ(envelope.event_id(), event_id);
  EXPECT_EQ(envelope.event_type(), kChanged);
  EXPECT_EQ(envelope.aggregate_type(), "product");
  EXPECT_EQ(envelope.aggregate_id(), "p-1");
  EXPECT_EQ(envelope.aggregate_version(), 7);
  EXPECT_EQ(envelope.producer(), "catalog");
  EXPECT_EQ(envelope.trace().traceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(envelope.payload_type(), "storefront.events.v1.ProductChanged");
  EXPECT_GT(envelope.occurred_at().seconds(), 1'600'000'000);
  EXPECT_EQ(PayloadOf<v1::ProductChanged>(envelope).name(), "lamp");

  auto lease = pool_.Acquire();
  pqxx::work txn(*lease);
  const OutgoingEvent without_payload{.topic = topic_,
                                      .event_type = kChanged,
                                      .aggregate_type = "product",
                                      .aggregate_id = "p-1",
                                      .payload = nullptr,
                                      .traceparent = ""};
  EXPECT_THROW(Append(txn, schema_, "catalog", without_payload), std::invalid_argument);
}

// (a) Published if and only if the change committed.
TEST_F(EventsTest, AnEventCommittedWithItsChangeIsAppliedAndOneRolledBackIsNeverPublished) {
  {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    txn.exec("INSERT INTO " + schema_ + ".orders VALUES ('o-1')");
    AppendChange(txn, "o-1", "rolled back");
    txn.abort();
  }
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    txn.exec("INSERT INTO " + schema_ + ".orders VALUES ('o-1')");
    AppendChange(txn, "o-1", "committed");
  });
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 1);

  OutboxRelay relay(pool_, RelayOptionsForTest());
  EXPECT_EQ(relay.PublishPending(), 1);
  EXPECT_EQ(Unsent(), 0);

  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));
  consumer.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 1; }));
  // Both events share a key, hence a partition: the rolled-back one would have come first.
  EXPECT_EQ(Count("SELECT count(*) FROM things"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE note = 'committed'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM inbox"), 1);
}

// (b) The outbox keeps events while Kafka is away; the relay delivers them once it is back.
TEST_F(EventsTest, EventsAppendedWhileTheBrokerIsDownAreAllAppliedOnceItIsBack) {
  broker_->Kill();
  for (int i = 0; i < 20; ++i) AppendCommitted("agg-" + std::to_string(i % 4), "event-" + std::to_string(i));

  OutboxRelay relay(pool_, RelayOptionsForTest());
  try {
    EXPECT_EQ(relay.PublishPending(), 0);
  } catch (const std::exception& e) {
    SUCCEED() << "the pass failed as it should: " << e.what();
  }
  EXPECT_EQ(Unsent(), 20);

  relay.Start();  // failing and backing off until the broker returns
  broker_->Restart();
  ASSERT_FALSE(broker_->bootstrap().empty()) << "Apache Kafka did not start again:\n" << broker_->Log();
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }));
  relay.Stop();

  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));
  consumer.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(consumer, [&] { return Count("SELECT count(*) FROM things") >= 20; }));
  // Anything still on its way is a redelivery: drain a little and show it changed nothing.
  for (int i = 0; i < 10; ++i) consumer.PollOnce(100ms);
  EXPECT_EQ(Count("SELECT count(*) FROM things"), 20);
  EXPECT_EQ(Count("SELECT count(DISTINCT note) FROM things"), 20);
  EXPECT_EQ(consumer.stats().applied, 20);
}

// (c) The inbox turns a redelivery into a no-op.
TEST_F(EventsTest, TheSameEventDeliveredTwiceIsAppliedOnce) {
  AppendCommitted("p-1", "once");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);

  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));
  consumer.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 1; }));

  // As if the relay died between publishing and marking the row sent.
  db::WithTransaction(pool_, [&](pqxx::work& txn) { txn.exec("UPDATE " + schema_ + ".outbox SET sent_at = NULL"); });
  ASSERT_EQ(relay.PublishPending(), 1);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().duplicates == 1; }));
  EXPECT_EQ(consumer.stats().applied, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM things"), 1);
}

// (d) A message that is not an envelope goes to the dead-letter topic; the loop goes on.
TEST_F(EventsTest, APoisonMessageIsDeadLetteredAndTheNextEventIsStillApplied) {
  const std::string garbage = "definitely not an envelope";
  internal::KafkaProducer plain({{"bootstrap.servers", broker_->bootstrap()}});
  // Same key as the good event below, so the same partition, ahead of it.
  ASSERT_EQ(plain.Deliver({{topic_, "p-1", garbage, {}}}, 10s)[0], RD_KAFKA_RESP_ERR_NO_ERROR);
  AppendCommitted("p-1", "good");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);

  const std::string group = "g-" + schema_;
  Consumer consumer(pool_, ConsumerOptionsForTest(group));
  consumer.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 1; }));
  EXPECT_EQ(consumer.stats().dead_lettered, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE note = 'good'"), 1);

  const auto letters = ReadDeadLetters(broker_->bootstrap(), topic_, 1);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key, "p-1");
  EXPECT_EQ(letters[0].value, garbage);
  EXPECT_NE(letters[0].headers.at("error").find("EventEnvelope"), std::string::npos);
  EXPECT_EQ(letters[0].headers.at("original_topic"), topic_);
  EXPECT_EQ(letters[0].headers.at("consumer_group"), group);
  EXPECT_TRUE(letters[0].headers.count("original_partition"));
  EXPECT_TRUE(letters[0].headers.count("original_offset"));
}

// (c') A topic of the store carries its owner's events only: an envelope naming another producer
// (a service writing to a topic it does not own, or a forgery) is dead-lettered, never applied,
// and the owner's own event behind it still is.
TEST_F(EventsTest, AnEnvelopeFromAProducerThatDoesNotOwnTheTopicIsDeadLetteredNotApplied) {
  const std::string topic(kProductTopic);  // owned by catalog
  broker_->CreateTopic(topic);
  v1::ProductChanged payload;
  payload.set_product_id("owned-1");
  auto append = [&](const std::string& producer, const std::string& note) {
    payload.set_name(note);
    db::WithTransaction(pool_, [&](pqxx::work& txn) {
      Append(txn, schema_, producer,
             {.topic = topic, .event_type = kChanged, .aggregate_type = "product", .aggregate_id = "owned-1",
              .payload = &payload});
    });
  };
  append("shipping", "forged");
  append("catalog", "genuine");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 2);

  const std::string group = "g-" + schema_;
  ConsumerOptions options = ConsumerOptionsForTest(group);
  options.topics = {topic};
  Consumer consumer(pool_, options);
  consumer.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 1; }));
  EXPECT_EQ(consumer.stats().dead_lettered, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE note = 'genuine'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE note = 'forged'"), 0);

  const auto letters = ReadDeadLetters(broker_->bootstrap(), topic, 1);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].headers.at("error"),
            "producer \"shipping\" does not own storefront.catalog.product.v1 (catalog does)");
}

// (d) A handler that keeps failing: max_attempts tries, then the dead-letter topic.
TEST_F(EventsTest, AnEventWhoseHandlerKeepsFailingIsDeadLetteredAfterMaxAttempts) {
  const std::string event_id = AppendCommitted("p-1", "doomed");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);

  std::atomic<int> calls{0};
  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));  // max_attempts = 3
  consumer.On(kChanged, [&](pqxx::work& txn, const Envelope& event) {
    ++calls;
    WriteThing(txn, event);  // rolled back with the failure
    throw std::runtime_error("the handler is broken");
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().dead_lettered == 1; }));
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(consumer.stats().applied, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM things"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM inbox"), 0);

  const auto letters = ReadDeadLetters(broker_->bootstrap(), topic_, 1);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].headers.at("error"), "the handler is broken");
  EXPECT_EQ(letters[0].headers.at("event_type"), kChanged);
  Envelope original;
  ASSERT_TRUE(original.ParseFromString(letters[0].value));
  EXPECT_EQ(original.event_id(), event_id);
}

// An unreachable dependency is not the event's fault: no attempts are counted for it.
TEST_F(EventsTest, UnavailableDependenciesAreWaitedOutNotDeadLettered) {
  AppendCommitted("p-1", "patient");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);

  auto options = ConsumerOptionsForTest("g-" + schema_);
  options.max_attempts = 1;
  std::atomic<int> calls{0};
  Consumer consumer(pool_, options);
  consumer.On(kChanged, [&](pqxx::work& txn, const Envelope& event) {
    if (++calls <= 3) throw Unavailable("the pricing service is away");
    WriteThing(txn, event);
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 1; }));
  EXPECT_EQ(calls.load(), 4);
  EXPECT_EQ(consumer.stats().dead_lettered, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM things"), 1);
}

// (e) Killed between the transaction's commit and the offset's: the event comes again and the
// inbox makes it a no-op.
TEST_F(EventsTest, AConsumerKilledBeforeItsOffsetCommitIsRedeliveredAndAppliesOnce) {
  AppendCommitted("p-1", "once");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);
  const std::string group = "g-" + schema_;

  {
    auto options = ConsumerOptionsForTest(group);
    options.after_transaction_commit = [](const Envelope&) { throw std::runtime_error("killed"); };
    Consumer doomed(pool_, options);
    doomed.On(kChanged, WriteThing);
    bool killed = false;
    ASSERT_TRUE(Eventually([&] {
      try {
        doomed.PollOnce(100ms);
      } catch (const std::runtime_error&) {
        killed = true;
      }
      return killed;
    }));
    EXPECT_EQ(doomed.stats().applied, 0);  // counted only once the offset is committed
    EXPECT_EQ(Count("SELECT count(*) FROM things"), 1);  // its transaction did commit
  }  // leaves the group without having committed the offset

  Consumer successor(pool_, ConsumerOptionsForTest(group));
  successor.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(successor, [&] { return successor.stats().duplicates == 1; }));
  EXPECT_EQ(successor.stats().applied, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM things"), 1);
}

// Offsets are stored event by event and committed in the background and when the consumer
// closes: with the background commit put off, the close alone commits them, so a successor of a
// consumer that stopped cleanly gets none of its events again.
TEST_F(EventsTest, AConsumerThatStopsCommitsTheOffsetsOfWhatItHandled) {
  for (int i = 0; i < 3; ++i) AppendCommitted("s-" + std::to_string(i), "first");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 3);
  const std::string group = "g-" + schema_;
  {
    auto options = ConsumerOptionsForTest(group);
    options.kafka_config["auto.commit.interval.ms"] = "600000";
    Consumer first(pool_, options);
    first.On(kChanged, WriteThing);
    ASSERT_TRUE(PollUntil(first, [&] { return first.stats().applied == 3; }));
  }
  AppendCommitted("s-3", "second");
  ASSERT_EQ(relay.PublishPending(), 1);
  Consumer successor(pool_, ConsumerOptionsForTest(group));
  successor.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(successor, [&] { return successor.stats().applied == 1; }));
  EXPECT_EQ(successor.stats().duplicates, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM things"), 4);
}

// (f) One aggregate's events are applied in the order they were appended.
TEST_F(EventsTest, OneAggregatesEventsArriveInAppendOrder) {
  const std::vector<std::string> aggregates = {"a", "b", "c"};
  constexpr int kPerAggregate = 12;
  for (int i = 0; i < kPerAggregate; ++i) {
    for (const auto& aggregate : aggregates) AppendCommitted(aggregate, aggregate + "-" + std::to_string(i));
  }
  auto options = RelayOptionsForTest();
  options.batch_size = 5;  // several passes
  OutboxRelay relay(pool_, options);
  ASSERT_TRUE(Eventually([&] {
    relay.PublishPending();
    return Unsent() == 0;
  }));

  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));
  consumer.On(kChanged, WriteThing);
  const long total = static_cast<long>(aggregates.size()) * kPerAggregate;
  ASSERT_TRUE(PollUntil(consumer, [&] { return Count("SELECT count(*) FROM things") == total; }));
  for (const auto& aggregate : aggregates) {
    const auto notes = db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
      std::vector<std::string> in_order;
      for (const auto& row : txn.exec_params("SELECT note FROM " + schema_ + ".things WHERE aggregate_id = $1 ORDER BY id",
                                             aggregate)) {
        in_order.push_back(row[0].as<std::string>());
      }
      return in_order;
    });
    std::vector<std::string> expected;
    for (int i = 0; i < kPerAggregate; ++i) expected.push_back(aggregate + "-" + std::to_string(i));
    EXPECT_EQ(notes, expected) << "aggregate " << aggregate;
  }
}

// (g) librdkafka 2.0.2's fatal idempotent-producer error does not stop the relay.
TEST_F(EventsTest, TheRelayRecreatesItsProducerAfterAFatalIdempotenceError) {
  AppendCommitted("p-1", "before");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);

  relay.SimulateFatalErrorForTest();
  AppendCommitted("p-1", "after");
  EXPECT_EQ(relay.PublishPending(), 1);
  EXPECT_EQ(Unsent(), 0);

  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));
  consumer.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 2; }));
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE note = 'after'"), 1);
}

// One relay per schema at a time: a replica finding the advisory lock taken skips its pass.
TEST_F(EventsTest, ARelaySkipsItsPassWhileAnotherHoldsTheSchemasLock) {
  AppendCommitted("p-1", "waiting");
  pqxx::connection other(SharedPostgres().Dsn("shipping"));
  pqxx::nontransaction other_txn(other);
  other_txn.exec_params("SELECT pg_advisory_lock(hashtext($1))", "storefront.outbox." + schema_);

  OutboxRelay relay(pool_, RelayOptionsForTest());
  EXPECT_EQ(relay.PublishPending(), 0);
  EXPECT_EQ(Unsent(), 1);

  other_txn.exec_params("SELECT pg_advisory_unlock(hashtext($1))", "storefront.outbox." + schema_);
  EXPECT_EQ(relay.PublishPending(), 1);
  EXPECT_EQ(Unsent(), 0);
}

// The background thread publishes on Notify without waiting for a poll.
TEST_F(EventsTest, TheRelayThreadPublishesWhatIsAppended) {
  auto options = RelayOptionsForTest();
  options.poll_interval = 1h;  // only Notify wakes it
  OutboxRelay relay(pool_, options);
  relay.Start();
  AppendCommitted("p-1", "notified");
  relay.Notify();
  EXPECT_TRUE(Eventually([&] { return Unsent() == 0; }));
  relay.Stop();
}

// --- The relay's rules under faults: parking, per-key holding, pruning, aggregate versions ---

struct RowState {
  bool sent = false;
  bool parked = false;
  int attempts = 0;
  int refusals = 0;
  std::string last_error;
  std::int64_t version = 0;  // the envelope's aggregate_version
};

RowState ReadRow(db::Pool& pool, const std::string& schema, const std::string& event_id) {
  return db::WithReadOnly(pool, [&](pqxx::nontransaction& txn) {
    const auto row = txn.exec_params1(
        "SELECT sent_at IS NOT NULL, parked_at IS NOT NULL, attempts, refusals, coalesce(last_error, ''), envelope"
        " FROM " + txn.quote_name(schema) + ".outbox WHERE event_id = $1::uuid",
        event_id);
    Envelope envelope;
    envelope.ParseFromString(pqxx::binarystring(row[5]).str());
    return RowState{row[0].as<bool>(), row[1].as<bool>(), row[2].as<int>(), row[3].as<int>(),
                    row[4].as<std::string>(), envelope.aggregate_version()};
  });
}

// The event ids on `topic`, one entry per message (a re-sent event appears twice).
std::multiset<std::string> EventIdsOn(const std::string& bootstrap, const std::string& topic) {
  TopicLog log({.bootstrap_servers = bootstrap, .client_id = "relay-test-reader", .timeout = 5s});
  std::multiset<std::string> ids;
  for (auto& message : log.Newest(topic, 1000)) ids.insert(message.headers["event_id"]);
  return ids;
}

// A pass that may fail: what the relay's thread would log and retry.
void PublishOnce(OutboxRelay& relay) {
  try {
    relay.PublishPending();
  } catch (const Unavailable&) {
  }
}

// A row whose topic does not exist (the broker creates none) is refused for good: after
// max_refusals it is parked with its error and never tried again; the later row of its key is
// held behind it; the row before it and the row of another key are published and applied, each
// exactly once, although the poison row failed beside them in every pass (the relay used to
// send a batch again from its first failure, on every backoff).
TEST_F(EventsTest, ARefusedRowIsParkedAndHoldsBackOnlyTheLaterRowsOfItsKey) {
  const std::string missing = "storefront.test." + schema_ + ".missing.v1";
  std::string before, poison, held, other;
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    before = AppendRow(txn, schema_, topic_, "k-1", "before");
    poison = AppendRow(txn, schema_, missing, "k-1", "poison");
    held = AppendRow(txn, schema_, topic_, "k-1", "held");
    other = AppendRow(txn, schema_, topic_, "k-2", "other");
  });

  auto options = RelayOptionsForTest();
  ASSERT_EQ(options.max_refusals, 3);
  OutboxRelay relay(pool_, options);
  ASSERT_TRUE(Eventually([&] {
    PublishOnce(relay);
    return relay.ParkedCount() == 1;
  }));
  const RowState parked = ReadRow(pool_, schema_, poison);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(relay.PublishPending(), 0) << "nothing the relay may publish is left";

  EXPECT_TRUE(parked.parked);
  EXPECT_FALSE(parked.sent);
  EXPECT_EQ(parked.refusals, 3);
  EXPECT_GE(parked.attempts, 3);
  EXPECT_NE(parked.last_error.find("UNKNOWN_TOPIC"), std::string::npos) << parked.last_error;
  EXPECT_EQ(ReadRow(pool_, schema_, poison).attempts, parked.attempts) << "a parked row is not tried again";

  const RowState waiting = ReadRow(pool_, schema_, held);
  EXPECT_FALSE(waiting.sent);
  EXPECT_FALSE(waiting.parked) << "held, not parked: it has done nothing wrong";
  EXPECT_EQ(waiting.attempts, 0) << "it never went out ahead of the parked row";
  for (const auto& id : {before, other}) {
    const RowState row = ReadRow(pool_, schema_, id);
    EXPECT_TRUE(row.sent);
    EXPECT_EQ(row.attempts, 1) << "delivered once, never sent again";
  }
  const auto backlog = db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) { return ReadOutboxBacklog(txn, schema_); });
  EXPECT_EQ(backlog.pending, 0);
  EXPECT_EQ(backlog.parked, 1);
  EXPECT_EQ(backlog.held, 1);

  EXPECT_EQ(EventIdsOn(broker_->bootstrap(), topic_), (std::multiset<std::string>{before, other}))
      << "each delivered event is on the topic once, and the held one is not";
  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));
  consumer.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 2; }));
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE note IN ('before', 'other')"), 2);
}

// Once its cause is fixed (here the topic is created) an operator un-parks the row: it goes
// out, and the row held behind it follows it, not before it.
TEST_F(EventsTest, AnUnparkedRowIsPublishedAndTheRowHeldBehindItFollows) {
  const std::string missing = "storefront.test." + schema_ + ".missing.v1";
  std::string poison, held;
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    poison = AppendRow(txn, schema_, missing, "k-1", "poison");
    held = AppendRow(txn, schema_, topic_, "k-1", "held");
  });
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_TRUE(Eventually([&] {
    PublishOnce(relay);
    return relay.ParkedCount() == 1;
  }));
  const std::int64_t poison_id = Count("SELECT id FROM outbox WHERE event_id = '" + poison + "'");
  const std::int64_t held_id = Count("SELECT id FROM outbox WHERE event_id = '" + held + "'");
  EXPECT_FALSE(db::WithTransaction(pool_, [&](pqxx::work& txn) { return UnparkOutboxRow(txn, schema_, held_id); }))
      << "only a parked row can be un-parked";

  broker_->CreateTopic(missing);
  ASSERT_TRUE(db::WithTransaction(pool_, [&](pqxx::work& txn) { return UnparkOutboxRow(txn, schema_, poison_id); }));
  EXPECT_EQ(ReadRow(pool_, schema_, poison).refusals, 0);
  ASSERT_TRUE(Eventually([&] {
    PublishOnce(relay);
    return Unsent() == 0;
  }));
  EXPECT_EQ(relay.ParkedCount(), 0);

  TopicLog log({.bootstrap_servers = broker_->bootstrap(), .client_id = "relay-test-reader", .timeout = 5s});
  const auto first = log.Newest(missing, 10);
  const auto second = log.Newest(topic_, 10);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(first[0].headers.at("event_id"), poison);
  EXPECT_EQ(second[0].headers.at("event_id"), held);
  // Produced in a later round of the pass, after the un-parked row's delivery report.
  EXPECT_LE(first[0].timestamp_ms.value_or(0), second[0].timestamp_ms.value_or(-1));
}

// A broker that is away is a retriable failure: the row is tried on every pass and never
// parked, however low max_refusals is; it goes out once the broker is back.
TEST_F(EventsTest, ABrokerThatIsAwayNeverGetsARowParked) {
  const std::string id = AppendCommitted("p-1", "patient");
  auto options = RelayOptionsForTest();
  options.max_refusals = 1;
  OutboxRelay relay(pool_, options);
  broker_->Kill();
  for (int pass = 0; pass < 2; ++pass) EXPECT_THROW(relay.PublishPending(), Unavailable);
  const RowState waiting = ReadRow(pool_, schema_, id);
  EXPECT_EQ(waiting.attempts, 2);
  EXPECT_EQ(waiting.refusals, 0);
  EXPECT_FALSE(waiting.parked);
  EXPECT_FALSE(waiting.last_error.empty());

  broker_->Restart();
  ASSERT_FALSE(broker_->bootstrap().empty()) << "Apache Kafka did not start again:\n" << broker_->Log();
  ASSERT_TRUE(Eventually([&] {
    PublishOnce(relay);
    return Unsent() == 0;
  }));
  EXPECT_EQ(relay.ParkedCount(), 0);
}

// Sent rows older than the retention are deleted, in batches; recent sent rows, unsent rows and
// parked rows are kept however old. The relay's thread prunes on an idle pass.
TEST_F(EventsTest, PruningDeletesOnlySentRowsOlderThanTheRetention) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(AppendCommitted("p-" + std::to_string(i), "sent"));
  auto options = RelayOptionsForTest();
  options.prune_batch_size = 2;
  OutboxRelay relay(pool_, options);  // sent_retention: 7 days
  ASSERT_EQ(relay.PublishPending(), 5);
  const std::string unsent = AppendCommitted("p-unsent", "unsent");
  const std::string parked = AppendCommitted("p-parked", "parked");
  auto age = [&](const std::string& id, const std::string& set) {
    db::WithTransaction(pool_, [&](pqxx::work& txn) {
      txn.exec_params("UPDATE " + schema_ + ".outbox SET " + set + " WHERE event_id = $1::uuid", id);
    });
  };
  for (int i = 0; i < 3; ++i) age(ids[i], "sent_at = now() - interval '8 days', created_at = now() - interval '8 days'");
  age(ids[3], "sent_at = now() - interval '6 days', created_at = now() - interval '6 days'");
  age(unsent, "created_at = now() - interval '30 days'");
  age(parked, "created_at = now() - interval '30 days', parked_at = now() - interval '30 days'");

  EXPECT_EQ(relay.PruneSent(), 3);  // two batches: 2 + 1
  EXPECT_EQ(relay.PruneSent(), 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE event_id = '" + ids[i] + "'"), 0);
  for (const auto& id : {ids[3], ids[4], unsent, parked}) {
    EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE event_id = '" + id + "'"), 1) << id;
  }

  age(ids[3], "sent_at = now() - interval '8 days'");
  options.prune_interval = 0ms;
  OutboxRelay background(pool_, options);
  background.Start();
  EXPECT_TRUE(Eventually([&] { return Count("SELECT count(*) FROM outbox WHERE event_id = '" + ids[3] + "'") == 0; }));
  background.Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 3) << "the recent sent row, the unsent one (now sent) and the parked one";
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL"), 1);
}

// Append numbers each aggregate's events 1, 2, 3, ... per schema: another aggregate (or another
// aggregate type with the same id) counts on its own, a rolled-back append leaves no gap, an
// explicit version is kept (and later ones follow it), and pruning does not start a count again.
TEST_F(EventsTest, AppendNumbersEachAggregatesEventsFromOneWithoutGaps) {
  auto append = [&](const std::string& key, const std::string& type = "product", std::int64_t version = 0) {
    const std::string id = db::WithTransaction(
        pool_, [&](pqxx::work& txn) { return AppendRow(txn, schema_, topic_, key, "v", type, version); });
    return ReadRow(pool_, schema_, id).version;
  };
  EXPECT_EQ(append("a"), 1);
  EXPECT_EQ(append("a"), 2);
  EXPECT_EQ(append("b"), 1);
  EXPECT_EQ(append("a"), 3);
  EXPECT_EQ(append("a", "order"), 1) << "(aggregate_type, aggregate_id) is the aggregate";
  {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    AppendRow(txn, schema_, topic_, "a", "rolled back");
    txn.abort();
  }
  EXPECT_EQ(append("a"), 4) << "a rolled-back append leaves no gap";
  EXPECT_EQ(append("c", "product", 10), 10) << "an explicit version is the caller's";
  EXPECT_EQ(append("c"), 11);

  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 8);
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    txn.exec("UPDATE " + schema_ + ".outbox SET sent_at = now() - interval '8 days'");
  });
  ASSERT_EQ(relay.PruneSent(), 8);
  EXPECT_EQ(append("a"), 5) << "pruning the outbox does not reset the count";
}

// Appends for one aggregate from concurrent transactions get distinct versions with no gaps:
// the counter's row lock orders them.
TEST_F(EventsTest, ConcurrentAppendsForOneAggregateGetDistinctVersions) {
  constexpr int kWriters = 8;
  std::vector<std::string> ids(kWriters);
  std::vector<std::string> errors(kWriters);
  std::atomic<int> ready{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      try {
        pqxx::connection connection(SharedPostgres().Dsn("shipping"));
        pqxx::work txn(connection);
        txn.exec("SELECT 1");  // the transaction has begun
        ++ready;
        while (ready.load() < kWriters) std::this_thread::yield();  // all append at once
        ids[w] = AppendRow(txn, schema_, topic_, "hot", "writer " + std::to_string(w));
        txn.commit();
      } catch (const std::exception& e) {
        ++ready;  // never leave the others waiting
        errors[w] = e.what();
      }
    });
  }
  for (auto& writer : writers) writer.join();
  for (const auto& error : errors) ASSERT_EQ(error, "");

  std::set<std::int64_t> versions;
  for (const auto& id : ids) versions.insert(ReadRow(pool_, schema_, id).version);
  std::set<std::int64_t> expected;
  for (int v = 1; v <= kWriters; ++v) expected.insert(v);
  EXPECT_EQ(versions, expected);
}

// The operator's view of a topic: the newest messages of each partition read by assignment, one
// message by its position, what it produced with its headers, and the broker's health.
TEST_F(EventsTest, ATopicLogReadsTheNewestMessagesAndOneByPositionWithoutAGroup) {
  TopicLog log({.bootstrap_servers = broker_->bootstrap(), .client_id = "topic-log-test", .timeout = 5s});
  const std::string& topic = topic_;
  for (const char* value : {"first", "second", "third"}) {
    TopicMessage message;
    message.topic = topic;
    message.key = "one-key";  // one partition, in this order
    message.value = value;
    message.headers = {{"note", std::string("n-") + value}};
    log.Produce(message);
  }

  const auto newest = log.Newest(topic, 2);
  ASSERT_EQ(newest.size(), 2u);
  std::map<std::int64_t, TopicMessage> by_offset;
  for (const auto& message : newest) by_offset[message.offset] = message;
  ASSERT_EQ(by_offset.size(), 2u);
  EXPECT_EQ(by_offset.begin()->second.value, "second");
  EXPECT_EQ(by_offset.rbegin()->second.value, "third");
  EXPECT_EQ(by_offset.rbegin()->second.key, "one-key");
  EXPECT_EQ(by_offset.rbegin()->second.headers.at("note"), "n-third");
  EXPECT_TRUE(by_offset.rbegin()->second.timestamp_ms.has_value());

  const auto& second = by_offset.begin()->second;
  auto found = log.At(topic, second.partition, second.offset);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->value, "second");
  EXPECT_FALSE(log.At(topic, second.partition, second.offset + 100).has_value());
  EXPECT_FALSE(log.At(topic, 999, 0).has_value()) << "no such partition";
  EXPECT_TRUE(log.Newest("storefront.no-such-topic.v1", 5).empty());

  const auto health = log.Check();
  EXPECT_TRUE(health.ok) << health.detail;
  EXPECT_NE(health.detail.find("broker"), std::string::npos) << health.detail;
}

// --- The consumer's retries, parking and replays ------------------------------------------------

// One event whose dependency is away must not stall the others: its partition waits (paused and
// rewound) while the other partitions' events are applied, and the loop keeps polling.
TEST_F(EventsTest, AnEventThatCannotBeAppliedYetDoesNotHoldUpOtherPartitions) {
  AppendCommitted("stuck", "stuck");
  for (int i = 0; i < 9; ++i) AppendCommitted("other-" + std::to_string(i), "other-" + std::to_string(i));
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 10);
  // Where each key went, as the broker has it.
  TopicLog log({.bootstrap_servers = broker_->bootstrap(), .client_id = "partitions", .timeout = 5s});
  std::map<std::string, int> partition_of;
  for (const auto& message : log.Newest(topic_, 100)) partition_of[message.key] = message.partition;
  ASSERT_EQ(partition_of.size(), 10u);
  long elsewhere = 0;
  for (const auto& [key, partition] : partition_of) elsewhere += partition != partition_of["stuck"] ? 1 : 0;
  ASSERT_GT(elsewhere, 0) << "every key hashed to one partition; pick other keys";

  const auto first_try = std::chrono::steady_clock::now();
  auto options = ConsumerOptionsForTest("g-" + schema_);
  options.retry_backoff = 50ms;
  Consumer consumer(pool_, options);
  consumer.On(kChanged, [&](pqxx::work& txn, const Envelope& event) {
    // The dependency of the "stuck" aggregate is away for the first second.
    if (event.aggregate_id() == "stuck" && std::chrono::steady_clock::now() - first_try < 1s) {
      throw Unavailable("the pricing service is away");
    }
    WriteThing(txn, event);
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return Count("SELECT count(*) FROM things") == 10; }));
  EXPECT_GE(consumer.stats().retries, 1);
  EXPECT_EQ(consumer.stats().dead_lettered, 0);
  // Every event of another partition was applied before the stuck one (ids are applied order).
  const long stuck_position = Count("SELECT id FROM things WHERE aggregate_id = 'stuck'");
  std::string ahead;
  for (const auto& [key, partition] : partition_of) {
    if (partition == partition_of["stuck"]) continue;
    if (Count("SELECT id FROM things WHERE aggregate_id = '" + key + "'") > stuck_position) ahead += key + " ";
  }
  EXPECT_EQ(ahead, "") << "applied only after the stuck event: its partition's wait held them up";
}

// A dead-lettered event parks its key: a later event of the same aggregate parks behind it rather
// than overtaking it, while other keys flow on. Replaying the parked events (for this group, in
// order) applies them in their original order and frees the key.
TEST_F(EventsTest, AParkedEventHoldsBackItsKeyUntilItIsReplayed) {
  const std::string doomed = AppendCommitted("a", "a-1");
  const std::string behind = AppendCommitted("a", "a-2");
  AppendCommitted("b", "b-1");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 3);

  const std::string group = "g-" + schema_;
  std::atomic<bool> broken{true};
  Consumer consumer(pool_, ConsumerOptionsForTest(group));  // max_attempts = 3
  consumer.On(kChanged, [&](pqxx::work& txn, const Envelope& event) {
    if (broken && event.event_id() == doomed) throw std::runtime_error("the handler is broken");
    WriteThing(txn, event);
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().dead_lettered == 2 && consumer.stats().applied == 1; }));
  EXPECT_EQ(consumer.stats().held, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE aggregate_id = 'a'"), 0) << "a-2 must not overtake a-1";
  EXPECT_EQ(Count("SELECT count(*) FROM parked_events"), 2);
  const auto letters = ReadDeadLetters(broker_->bootstrap(), topic_, 2);
  ASSERT_EQ(letters.size(), 2u);
  std::map<std::string, DeadLetter> by_event;
  for (const auto& letter : letters) {
    Envelope original;
    ASSERT_TRUE(original.ParseFromString(letter.value));
    by_event[original.event_id()] = letter;
  }
  ASSERT_TRUE(by_event.count(doomed) && by_event.count(behind));
  EXPECT_EQ(by_event[behind].headers.at("held_behind"), doomed);

  // The fix ships; the operator replays both for this group (a request on the replay topic, as the
  // gateway makes it from the dead letter). Out of order first: a-2 parks again.
  broken = false;
  TopicLog log({.bootstrap_servers = broker_->bootstrap(), .client_id = "replayer", .timeout = 5s});
  auto replay = [&](const DeadLetter& letter) {
    TopicMessage request;
    request.topic = replays_;
    request.key = letter.key;
    request.headers = {{std::string(kReplayForGroupHeader), group},
                       {std::string(kOriginalTopicHeader), letter.headers.at("original_topic")},
                       {std::string(kOriginalPartitionHeader), letter.headers.at("original_partition")},
                       {std::string(kOriginalOffsetHeader), letter.headers.at("original_offset")}};
    log.Produce(request);
  };
  replay(by_event[behind]);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().held == 2; }));
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE aggregate_id = 'a'"), 0);
  replay(by_event[doomed]);
  replay(by_event[behind]);
  ASSERT_TRUE(PollUntil(consumer, [&] { return Count("SELECT count(*) FROM things WHERE aggregate_id = 'a'") == 2; }));
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE note = 'a-1' AND id < (SELECT id FROM things WHERE note = 'a-2')"),
            1)
      << "a-1 applied before a-2";
  EXPECT_EQ(Count("SELECT count(*) FROM parked_events"), 0) << "the key is free again";
}

// A replay request for the group that dead-lettered an event; every other group passes over it.
// Applied twice, an event is a duplicate the second time (the inbox), so a replay of an event that
// did apply changes nothing.
TEST_F(EventsTest, AReplayIsForOneGroupAndAnAppliedEventReplayedIsADuplicate) {
  AppendCommitted("p-1", "applied once");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);
  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));
  consumer.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 1; }));
  const auto position = db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    auto row = txn.exec("SELECT \"partition\", \"offset\" FROM " + schema_ + ".inbox")[0];
    return std::make_pair(row[0].as<std::string>(), row[1].as<std::string>());
  });
  TopicLog log({.bootstrap_servers = broker_->bootstrap(), .client_id = "replayer", .timeout = 5s});
  auto request = [&](const std::string& group) {
    TopicMessage message;
    message.topic = replays_;
    message.key = "p-1";  // both requests on one partition, in order
    message.headers = {{std::string(kReplayForGroupHeader), group},
                       {std::string(kOriginalTopicHeader), topic_},
                       {std::string(kOriginalPartitionHeader), position.first},
                       {std::string(kOriginalOffsetHeader), position.second}};
    log.Produce(message);
  };
  request("some-other-group");
  request("g-" + schema_);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().replayed + consumer.stats().replays_for_others == 2; }));
  EXPECT_EQ(consumer.stats().replays_for_others, 1) << "the other group's request was passed over";
  EXPECT_EQ(consumer.stats().replayed, 1);
  EXPECT_EQ(consumer.stats().duplicates, 1) << "only its own group's request was acted on";
  EXPECT_EQ(consumer.stats().applied, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM things"), 1);
}

// A request that cannot be acted on (a topic the group does not read, a position past the topic's
// end) is dead-lettered itself, with the reason, and the loop goes on.
TEST_F(EventsTest, AReplayRequestThatPointsNowhereIsDeadLettered) {
  const std::string group = "g-" + schema_;
  Consumer consumer(pool_, ConsumerOptionsForTest(group));
  consumer.On(kChanged, WriteThing);
  TopicLog log({.bootstrap_servers = broker_->bootstrap(), .client_id = "replayer", .timeout = 5s});
  auto request = [&](const std::string& topic, const std::string& offset, const std::string& partition = "0") {
    TopicMessage message;
    message.topic = replays_;
    message.key = "nowhere";
    message.headers = {{std::string(kReplayForGroupHeader), group},
                       {std::string(kOriginalTopicHeader), topic},
                       {std::string(kOriginalPartitionHeader), partition},
                       {std::string(kOriginalOffsetHeader), offset}};
    log.Produce(message);
  };
  request(std::string(kShipmentTopic), "0");  // not a topic this group reads
  request(topic_, "999999");                  // past the end of its topic
  request(topic_, "0", "99");                 // a partition the topic does not have
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().dead_lettered == 3; }));
  EXPECT_EQ(consumer.stats().replayed, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM things"), 0);
}

// An event type this release cannot handle is not recorded as handled: a later release that
// handles it, re-reading the topic, applies it.
TEST_F(EventsTest, AnEventTypeWithoutAHandlerIsNotRecordedSoALaterReleaseCanApplyIt) {
  AppendCommitted("p-1", "from the future");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);
  {
    Consumer old_release(pool_, ConsumerOptionsForTest("g-old-" + schema_));
    old_release.On("storefront.something_else.v1", WriteThing);
    ASSERT_TRUE(PollUntil(old_release, [&] { return old_release.stats().skipped == 1; }));
  }
  EXPECT_EQ(Count("SELECT count(*) FROM inbox"), 0);
  Consumer new_release(pool_, ConsumerOptionsForTest("g-new-" + schema_));  // as if offsets were reset
  new_release.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(new_release, [&] { return new_release.stats().applied == 1; }));
  EXPECT_EQ(Count("SELECT count(*) FROM things WHERE note = 'from the future'"), 1);
}

// The inbox keeps ids for inbox_retention and no longer.
TEST_F(EventsTest, TheConsumerPrunesInboxRowsOlderThanItsRetention) {
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    txn.exec("INSERT INTO " + schema_ + ".inbox (event_id, event_type, topic, \"partition\", \"offset\", processed_at)"
             " VALUES (gen_random_uuid(), 't', 'x', 0, 1, now() - interval '20 days'),"
             "        (gen_random_uuid(), 't', 'x', 0, 2, now() - interval '1 day')");
  });
  auto options = ConsumerOptionsForTest("g-" + schema_);
  options.inbox_retention = std::chrono::hours(24 * 14);
  Consumer consumer(pool_, options);
  consumer.PollOnce(100ms);  // the first poll prunes
  EXPECT_EQ(Count("SELECT count(*) FROM inbox WHERE processed_at < now() - interval '14 days'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM inbox"), 1) << "the recent row stays";
}

// The relay and the consumer have connections of their own (a bulkhead): with every connection
// of the request pool taken, events are still published and applied.
TEST_F(EventsTest, EventsFlowWhileEveryRequestConnectionIsTaken) {
  db::Pool requests(SharedPostgres().Dsn("shipping"), 1);
  auto held = requests.Acquire();  // a burst of requests holds the whole pool
  ServiceEvents events(requests, {.bootstrap_servers = broker_->bootstrap(),
                                  .schema = schema_,
                                  .name = "g-" + schema_,
                                  .consumes = {topic_},
                                  .group_instance_id = ""});
  std::atomic<int> applied{0};
  events.consumer()->On(kChanged, [&](pqxx::work& txn, const Envelope& event) {
    WriteThing(txn, event);
    ++applied;
  });
  events.Start();
  AppendCommitted("p-1", "through the bulkhead");
  EXPECT_TRUE(Eventually([&] { return Unsent() == 0; })) << "the relay waited for a request connection";
  EXPECT_TRUE(Eventually([&] { return applied.load() == 1; })) << "the consumer waited for a request connection";
  events.Stop();
}

KafkaBroker* EventsTest::broker_ = nullptr;

}  // namespace
}  // namespace storefront::events

namespace storefront::events {
namespace {

TEST_F(EventsTest, AnEventContinuesItsTraceInTheConsumerAndInWhatItsHandlerWrites) {
  testing::SpanSink sink;
  trace::StartExport({.url = sink.url(), .service = "shipping", .interval = 20ms});
  const auto cause = *trace::ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  AppendCommitted("p-1", "traced");  // AppendRow gives it `cause` as its traceparent
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);

  std::optional<trace::SpanContext> seen;
  std::string follow_up;
  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));
  consumer.On(kChanged, [&](pqxx::work& txn, const Envelope& event) {
    if (trace::Current()) seen = *trace::Current();
    v1::ProductChanged payload;
    payload.set_product_id("p-2");
    // No traceparent given: the outbox takes the context current in the handler.
    follow_up = Append(txn, schema_, "events-test",
                       {.topic = topic_, .event_type = "follow.up", .aggregate_type = "product",
                        .aggregate_id = "p-2", .payload = &payload});
    WriteThing(txn, event);
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 1; }));
  trace::StopExport();

  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->TraceIdHex(), cause.TraceIdHex());
  EXPECT_NE(seen->SpanIdHex(), cause.SpanIdHex());
  const auto envelope = db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    Envelope written;
    written.ParseFromString(pqxx::binarystring(txn.exec_params("SELECT envelope FROM " + txn.quote_name(schema_) +
                                                                   ".outbox WHERE event_id = $1::uuid",
                                                               follow_up)[0][0])
                                .str());
    return written;
  });
  EXPECT_EQ(envelope.trace().traceparent(), seen->Traceparent());
  const auto spans = sink.Spans();
  const auto consumed = std::find_if(spans.begin(), spans.end(), [&](const auto& s) { return s["kind"] == "CONSUMER"; });
  ASSERT_NE(consumed, spans.end());
  EXPECT_EQ((*consumed)["traceId"], cause.TraceIdHex());
  EXPECT_EQ((*consumed)["parentId"], cause.SpanIdHex());
  EXPECT_EQ((*consumed)["id"], seen->SpanIdHex());
  EXPECT_EQ((*consumed)["tags"]["messaging.destination"], topic_);
}

TEST_F(EventsTest, TheFiguresCountOutcomesByTopicAndTheRelaysBacklog) {
  const std::string schema_label = "{schema=\"" + schema_ + "\"}";
  const std::string topic_label = "topic=\"" + topic_ + "\"";
  const std::string poison = "not an envelope";
  internal::KafkaProducer plain({{"bootstrap.servers", broker_->bootstrap()}});
  ASSERT_EQ(plain.Deliver({{topic_, "p-1", poison, {}}}, 10s)[0], RD_KAFKA_RESP_ERR_NO_ERROR);
  AppendCommitted("p-1", "one");
  AppendCommitted("p-2", "two");
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    txn.exec("UPDATE " + schema_ + ".outbox SET created_at = now() - interval '90 seconds' WHERE key = 'p-1'");
  });

  OutboxRelay relay(pool_, RelayOptionsForTest());
  relay.UpdateFigures();
  EXPECT_EQ(Figure("outbox_unpublished_rows" + schema_label), 2);
  EXPECT_GE(Figure("outbox_oldest_unpublished_age_seconds" + schema_label), 90);
  EXPECT_LT(Figure("outbox_oldest_unpublished_age_seconds" + schema_label), 120);
  // A parked row waits for an operator, not for the relay: counted, but not in the age.
  const std::string parked_id = AppendCommitted("p-3", "parked");
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    txn.exec_params("UPDATE " + schema_ + ".outbox SET parked_at = now(), created_at = now() - interval '1 hour'"
                    " WHERE event_id = $1::uuid", parked_id);
  });
  relay.UpdateFigures();
  EXPECT_EQ(Figure("outbox_unpublished_rows" + schema_label), 3);
  EXPECT_EQ(Figure("outbox_parked_rows" + schema_label), 1);
  EXPECT_LT(Figure("outbox_oldest_unpublished_age_seconds" + schema_label), 120);
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    txn.exec_params("DELETE FROM " + schema_ + ".outbox WHERE event_id = $1::uuid", parked_id);
  });
  ASSERT_EQ(relay.PublishPending(), 2);
  relay.UpdateFigures();
  EXPECT_EQ(Figure("outbox_unpublished_rows" + schema_label), 0);
  EXPECT_EQ(Figure("outbox_oldest_unpublished_age_seconds" + schema_label), 0);
  EXPECT_EQ(Figure("outbox_published_total{" + topic_label + "}"), 2);

  Consumer consumer(pool_, ConsumerOptionsForTest("g-" + schema_));
  consumer.On(kChanged, WriteThing);
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 2; }));
  EXPECT_EQ(Figure("events_handled_total{outcome=\"processed\"," + topic_label + "}"), 2);
  EXPECT_EQ(Figure("events_handled_total{outcome=\"dead_lettered\"," + topic_label + "}"), 1);
  EXPECT_EQ(Figure("events_dead_lettered_total{" + topic_label + "}"), 1);
  EXPECT_EQ(Figure("events_handling_seconds_count{" + topic_label + "}"), 3);
}

TEST_F(EventsTest, TheLagFigureCountsWhatTheGroupHasNotCommitted) {
  AppendCommitted("p-1", "first");
  OutboxRelay relay(pool_, RelayOptionsForTest());
  ASSERT_EQ(relay.PublishPending(), 1);
  auto options = ConsumerOptionsForTest("g-" + schema_);
  options.kafka_config["statistics.interval.ms"] = "100";
  std::atomic<bool> away{false};
  Consumer consumer(pool_, options);
  consumer.On(kChanged, [&](pqxx::work& txn, const Envelope& event) {
    if (away) throw Unavailable("the database it needs is away");
    WriteThing(txn, event);
  });
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 1; }));
  const std::string lag = "kafka_consumer_lag_messages{group=\"g-" + schema_ + "\",topic=\"" + topic_ + "\"}";
  // Three more, all of one key (one partition), which the handler cannot apply while `away`.
  away = true;
  for (int i = 0; i < 3; ++i) AppendCommitted("p-1", "waiting " + std::to_string(i));
  ASSERT_EQ(relay.PublishPending(), 3);
  EXPECT_TRUE(PollUntil(consumer, [&] { return Figure(lag) == 3; })) << Figure(lag);
  away = false;
  ASSERT_TRUE(PollUntil(consumer, [&] { return consumer.stats().applied == 4; }));
  EXPECT_TRUE(PollUntil(consumer, [&] { return Figure(lag) == 0; })) << Figure(lag);
}

}  // namespace
}  // namespace storefront::events
