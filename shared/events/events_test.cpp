// What can be checked without PostgreSQL or Kafka: the topic list and its copy for the
// development broker, the shared migrations, event ids, which failures the consumer waits out,
// which delivery errors the relay parks a row for.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <regex>
#include <set>
#include <string>

#include "shared/db/pool.h"
#include "shared/errors/errors.h"
#include "shared/events/consumer.h"
#include "shared/events/kafka_acls.h"
#include "shared/events/outbox.h"
#include "shared/events/relay.h"
#include "shared/events/service_events.h"
#include "shared/events/topics.h"

namespace storefront::events {
namespace {

std::vector<std::string> TopicsFile() {
  std::ifstream in(std::string(STOREFRONT_SOURCE_DIR) + "/infra/kafka/topics.txt");
  EXPECT_TRUE(in) << "infra/kafka/topics.txt is missing";
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {  // the same rules as the dev broker's
    line = line.substr(0, line.find('#'));
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    names.push_back(line.substr(first, line.find_last_not_of(" \t\r") - first + 1));
  }
  return names;
}

// The broker's ACLs (kafka_acls.h) against the topic table: only a topic's owner writes it, its
// consumers read it, every consumer may dead-letter and reads the replay requests the gateway
// writes, and nobody else has anything.
TEST(KafkaGrantsTest, OnlyTheOwnerWritesATopicAndOnlyItsConsumersReadIt) {
  std::map<std::string, std::set<std::string>> writers, readers;
  for (const auto& grant : KafkaGrants()) {
    for (const auto& topic : grant.writes) writers[topic].insert(grant.user);
    for (const auto& topic : grant.reads) readers[topic].insert(grant.user);
    EXPECT_EQ(grant.group_prefix, grant.user == "gateway" ? "storefront-gateway" : grant.user)
        << "a service's consumer group is its own name (ServiceEvents)";
  }
  std::set<std::string> consumers;  // every service that consumes anything
  for (const auto& topic : kTopics) {
    const std::string name(topic.name);
    if (name == kDeadLetterTopic || name == kReplayTopic) continue;
    std::set<std::string> expected_readers = {"gateway"};  // the console's event log
    // "cart, inventory, shipping, payments", "gateway (read cache)", "-"
    std::istringstream listed(std::string(topic.consumers));
    for (std::string entry; std::getline(listed, entry, ',');) {
      std::istringstream words(entry);
      std::string consumer;
      words >> consumer;  // the first word
      if (consumer == "-") continue;
      expected_readers.insert(consumer);
      if (consumer != "gateway") consumers.insert(consumer);
    }
    EXPECT_EQ(readers[name], expected_readers) << name;
    EXPECT_EQ(writers[name], std::set<std::string>{std::string(TopicOwner(name))}) << name;
  }
  EXPECT_EQ(writers[std::string(kDeadLetterTopic)], consumers) << "every consumer, and only consumers, dead-letter";
  EXPECT_EQ(readers[std::string(kDeadLetterTopic)], std::set<std::string>{"gateway"});
  EXPECT_EQ(writers[std::string(kReplayTopic)], std::set<std::string>{"gateway"});
  auto replay_readers = consumers;
  replay_readers.insert("gateway");  // the console shows every topic
  EXPECT_EQ(readers[std::string(kReplayTopic)], replay_readers);
  EXPECT_EQ(KafkaGrants().size(), 7u) << "the six services and the gateway";
}

TEST(KafkaGrantsTest, AclsAreWriteAndReadOnLiteralTopicsAndReadOnAGroupPrefix) {
  const auto acls = AclsOf({{"shipping", {"t.ship"}, {"t.order"}, "shipping"}});
  const std::vector<KafkaAcl> expected = {
      {"User:shipping", "READ", "GROUP", "shipping", "PREFIXED"},
      {"User:shipping", "READ", "TOPIC", "t.order", "LITERAL"},
      {"User:shipping", "WRITE", "TOPIC", "t.ship", "LITERAL"},
  };
  EXPECT_EQ(acls, expected);
}

TEST(TopicsTest, TheDevelopmentBrokersTopicsFileListsExactlyTheTopicsOfTopicsH) {
  std::multiset<std::string> in_file;
  for (const auto& name : TopicsFile()) in_file.insert(name);
  std::multiset<std::string> in_header;
  for (const auto& topic : kTopics) in_header.insert(std::string(topic.name));
  EXPECT_EQ(in_file, in_header);
}

TEST(TopicsTest, NamesFollowTheConventionAndAreUnique) {
  const std::regex convention(R"(storefront\.[a-z]+(\.[a-z]+)?\.v[0-9]+)");
  std::set<std::string_view> seen;
  for (const auto& topic : kTopics) {
    EXPECT_TRUE(std::regex_match(std::string(topic.name), convention)) << topic.name;
    EXPECT_TRUE(seen.insert(topic.name).second) << topic.name << " is listed twice";
    EXPECT_FALSE(topic.producer.empty()) << topic.name;
  }
  EXPECT_TRUE(seen.count(kDeadLetterTopic));
}

TEST(TopicsTest, EachTopicOfTheStoreIsOwnedByItsProducerAndTheDeadLettersByNone) {
  EXPECT_EQ(TopicOwner(kShipmentTopic), "shipping");
  EXPECT_EQ(TopicOwner(kOrderTopic), "checkout");
  EXPECT_EQ(TopicOwner(kProductTopic), "catalog");
  EXPECT_EQ(TopicOwner(kDeadLetterTopic), "") << "every consumer writes dead letters";
  EXPECT_EQ(TopicOwner("storefront.test.things.v1"), "") << "not a topic of the store";
}

TEST(MigrationsTest, OutboxAndInboxHoldTheirReservedVersions) {
  EXPECT_EQ(OutboxMigration().version, 900);
  EXPECT_EQ(InboxMigration().version, 901);
  EXPECT_NE(OutboxMigration().sql.find("CREATE TABLE outbox"), std::string::npos);
  EXPECT_NE(InboxMigration().sql.find("CREATE TABLE inbox"), std::string::npos);
  // They run inside the service's schema: a qualified name would pin them to one service.
  EXPECT_EQ(OutboxMigration().sql.find(".outbox"), std::string::npos);
  EXPECT_EQ(InboxMigration().sql.find(".inbox"), std::string::npos);
}

TEST(MigrationsTest, TheOutboxUpgradeAddsParkingAndTheVersionCounter) {
  const auto upgrade = OutboxParkingAndVersionsMigration();
  EXPECT_EQ(upgrade.version, 902);
  EXPECT_NE(upgrade.sql.find("parked_at"), std::string::npos);
  EXPECT_NE(upgrade.sql.find("CREATE TABLE outbox_versions"), std::string::npos);
  EXPECT_EQ(upgrade.sql.find(".outbox"), std::string::npos);
}

// What the relay parks (after max_refusals) and what it retries for ever.
TEST(ClassifyDeliveryErrorTest, ErrorsAboutTheMessageItselfArePermanent) {
  for (const auto err : {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
                         RD_KAFKA_RESP_ERR_INVALID_RECORD, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                         RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
                         RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED}) {
    EXPECT_EQ(ClassifyDeliveryError(err), DeliveryFailure::kPermanent) << rd_kafka_err2name(err);
  }
}

TEST(ClassifyDeliveryErrorTest, ABrokerAwayTimeoutsAndWhatTheListDoesNotKnowAreRetriable) {
  for (const auto err : {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
                         RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
                         RD_KAFKA_RESP_ERR__IN_PROGRESS, RD_KAFKA_RESP_ERR__PURGE_QUEUE,
                         RD_KAFKA_RESP_ERR__PURGE_INFLIGHT, RD_KAFKA_RESP_ERR__FATAL,
                         RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                         RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
                         RD_KAFKA_RESP_ERR__QUEUE_FULL}) {
    EXPECT_EQ(ClassifyDeliveryError(err), DeliveryFailure::kRetriable) << rd_kafka_err2name(err);
  }
}

TEST(ServiceEventsTest, AddsOnlyTheEventTablesTheServiceUses) {
  const std::vector<db::Migration> own = {{1, "create_schema", "CREATE TABLE t (id int)"}};
  auto versions = [](const std::vector<db::Migration>& migrations) {
    std::vector<int> out;
    for (const auto& migration : migrations) out.push_back(migration.version);
    return out;
  };
  EXPECT_EQ(versions(ServiceEvents::WithEventTables(own, {.outbox = true})), (std::vector<int>{1, 900, 902}));
  EXPECT_EQ(versions(ServiceEvents::WithEventTables(own, {.inbox = true})), (std::vector<int>{1, 901, 910}));
  EXPECT_EQ(versions(ServiceEvents::WithEventTables(own, {.outbox = true, .inbox = true})),
            (std::vector<int>{1, 900, 902, 901, 910}));  // db::Migrate applies them by version
  EXPECT_EQ(ServiceEvents::WithEventTables(own, {.outbox = true})[1].sql, OutboxMigration().sql);
}

// The pool opens connections lazily and nothing here is started, so neither PostgreSQL nor a
// broker is needed to see which parts exist.
TEST(ServiceEventsTest, WithoutKafkaThereIsNothingToRunOrRegisterOn) {
  db::Pool pool("postgresql://nobody@127.0.0.1:1/none", 1);
  ServiceEvents events(pool, {.bootstrap_servers = "", .schema = "svc", .name = "svc",
                              .consumes = {std::string(kOrderTopic)}});
  EXPECT_EQ(events.consumer(), nullptr);
  events.Start();
  events.Stop();
}

TEST(ServiceEventsTest, TopicsToConsumeMakeAConsumer) {
  db::Pool pool("postgresql://nobody@127.0.0.1:1/none", 1);
  ServiceEvents relay_only(pool, {.bootstrap_servers = "127.0.0.1:1", .schema = "svc", .name = "svc", .consumes = {}});
  EXPECT_EQ(relay_only.consumer(), nullptr) << "no topics: nothing to consume";
  ServiceEvents both(pool, {.bootstrap_servers = "127.0.0.1:1", .schema = "svc", .name = "svc",
                            .consumes = {std::string(kOrderTopic)}});
  ASSERT_NE(both.consumer(), nullptr);
  both.consumer()->On("storefront.test.v1", [](pqxx::work&, const Envelope&) {});
  both.Stop();  // never started: stopping is still safe, and so is the destructor after it
}

TEST(RequireUuidTest, ReturnsTheIdInLowerCase) {
  Envelope event;
  event.set_event_id("123e4567-e89b-42d3-a456-426614174000");
  event.set_event_type("storefront.checkout.order.confirmed.v1");
  EXPECT_EQ(RequireUuid(event, "order_id", "0B7C3F8E-2D1A-4C5B-9E6F-7A8B9C0D1E2F"),
            "0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2f");
}

TEST(RequireUuidTest, AnythingElseIsPoisonNamingTheEventAndTheField) {
  Envelope event;
  event.set_event_id("123e4567-e89b-42d3-a456-426614174000");
  event.set_event_type("storefront.checkout.order.confirmed.v1");
  try {
    RequireUuid(event, "order_id", "not-a-uuid");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(),
                 "storefront.checkout.order.confirmed.v1 123e4567-e89b-42d3-a456-426614174000: "
                 "order_id must be a UUID, got 'not-a-uuid'");
  }
  EXPECT_THROW(RequireUuid(event, "order_id", ""), std::invalid_argument);
  // What is echoed back is bounded, whatever an attacker put in the field.
  try {
    RequireUuid(event, "order_id", std::string(10000, 'x'));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_LT(std::string(error.what()).size(), 200u);
  }
}

// Waits that ran out are not the event's fault: before, a lock_timeout or a statement_timeout
// counted as a handler failure and dead-lettered a perfectly good event after a few tries.
TEST(IsTransientTest, LockAndStatementTimeoutsAndLostRacesAreWaitedOut) {
  EXPECT_TRUE(IsTransient(pqxx::sql_error("canceling statement due to lock timeout", "UPDATE", "55P03")));
  EXPECT_TRUE(IsTransient(pqxx::sql_error("canceling statement due to statement timeout", "SELECT", "57014")));
  EXPECT_TRUE(IsTransient(pqxx::sql_error("terminating connection due to administrator command", "", "57P01")));
  EXPECT_TRUE(IsTransient(pqxx::sql_error("sorry, too many clients already", "", "53300")));
  EXPECT_TRUE(IsTransient(pqxx::serialization_failure("could not serialize access")));
  EXPECT_TRUE(IsTransient(pqxx::deadlock_detected("deadlock detected")));
  EXPECT_TRUE(IsTransient(pqxx::broken_connection("server closed the connection")));
  EXPECT_TRUE(IsTransient(Unavailable("payments is unavailable")));
}

TEST(IsTransientTest, WhatSaysSomethingAboutTheEventIsNot) {
  EXPECT_FALSE(IsTransient(pqxx::sql_error("duplicate key value violates unique constraint", "INSERT", "23505")));
  EXPECT_FALSE(IsTransient(pqxx::sql_error("invalid input syntax for type uuid", "SELECT", "22P02")));
  EXPECT_FALSE(IsTransient(std::invalid_argument("order_id is not a UUID")));
  EXPECT_FALSE(IsTransient(FailedPrecondition("payment is VOIDED")));
  EXPECT_FALSE(IsTransient(std::runtime_error("the handler is broken")));
}

}  // namespace
}  // namespace storefront::events
