// The broker as the store runs it (mutual TLS, ACLs from kafka_acls.h): one Apache Kafka node for
// the binary, with certificates made by infra/tls/make-certs. A forged event from a process that
// does not own the topic never reaches the topic; a process reads only what it consumes; nothing
// without a certificate of the store's CA connects at all.
#include <librdkafka/rdkafka.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "shared/events/internal/kafka.h"
#include "shared/events/kafka_acls.h"
#include "shared/events/topics.h"
#include "shared/testing/kafka_broker.h"
#include "shared/testing/process.h"

namespace storefront::events {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// make-certs DIR NAME...: the CA and a certificate per name.
void MakeCerts(const std::string& dir, const std::string& names) {
  const std::string command = std::string(STOREFRONT_SOURCE_DIR) + "/infra/tls/make-certs " + dir + " " + names;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

class KafkaAclsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::MakeTempDir("kafka-acls-certs"));
    MakeCerts(*dir_ + "/store",
              "kafka=IP:127.0.0.1,DNS:localhost gateway catalog cart checkout payments inventory shipping intruder");
    MakeCerts(*dir_ + "/other", "shipping");  // another CA's "shipping"
    broker_ = new testing::KafkaBroker("kafka-acls", *dir_ + "/store");
    if (broker_->bootstrap().empty()) return;
    std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> admin(Client("kafka"), rd_kafka_destroy);
    Reconcile(admin.get(), AclsOf(KafkaGrants()), seconds(20));
  }
  static void TearDownTestSuite() {
    delete broker_;
    testing::RemoveTree(*dir_);
    delete dir_;
  }
  void SetUp() override {
    if (broker_->bootstrap().empty()) GTEST_SKIP() << "no broker (the suite's set-up failed)";
  }

  static config::TlsSettings Identity(const std::string& name, const std::string& ca = "store") {
    const std::string base = *dir_ + "/" + ca + "/";
    return {.ca_file = base + "ca.crt", .cert_file = base + name + ".crt", .key_file = base + name + ".key"};
  }
  // A producer handle (also good for admin requests and metadata) as `name`.
  static rd_kafka_t* Client(const std::string& name, const config::TlsSettings* tls = nullptr) {
    auto config = internal::ClientConfig(broker_->bootstrap(), tls ? *tls : Identity(name));
    config["client.id"] = "acl-test-" + name;
    char errstr[512];
    rd_kafka_conf_t* conf = internal::MakeConf(config);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    EXPECT_NE(rk, nullptr) << errstr;
    return rk;
  }

  // Produces one message to `topic` as `name`; the delivery report's code.
  static rd_kafka_resp_err_t Publish(const std::string& name, std::string_view topic) {
    auto config = internal::ClientConfig(broker_->bootstrap(), Identity(name));
    config["client.id"] = "acl-test-" + name;
    config["message.timeout.ms"] = "10000";
    internal::KafkaProducer producer(config);
    return producer.Deliver({{std::string(topic), "key", "forged?", {}}}, seconds(15))[0];
  }

  // Subscribes to `topic` as `name` in group `group`; the first error the consumer reports, or
  // NO_ERROR when a message (or a partition's end) arrives.
  static rd_kafka_resp_err_t Read(const std::string& name, std::string_view topic, const std::string& group) {
    auto config = internal::ClientConfig(broker_->bootstrap(), Identity(name));
    config["group.id"] = group;
    config["client.id"] = "acl-test-" + name;
    config["enable.partition.eof"] = "true";
    config["enable.auto.commit"] = "false";
    config["auto.offset.reset"] = "earliest";
    char errstr[512];
    rd_kafka_conf_t* conf = internal::MakeConf(config);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    EXPECT_NE(rk, nullptr) << errstr;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, std::string(topic).c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    rd_kafka_resp_err_t result = RD_KAFKA_RESP_ERR__TIMED_OUT;
    const auto deadline = std::chrono::steady_clock::now() + seconds(20);
    while (result == RD_KAFKA_RESP_ERR__TIMED_OUT && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* message = rd_kafka_consumer_poll(rk, 200);
      if (message == nullptr) continue;
      result = message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF ? RD_KAFKA_RESP_ERR_NO_ERROR : message->err;
      rd_kafka_message_destroy(message);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return result;
  }

  // Whether a metadata request as this client gets an answer within 5 s.
  static rd_kafka_resp_err_t Metadata(rd_kafka_t* rk) {
    const rd_kafka_metadata_t* metadata = nullptr;
    const auto err = rd_kafka_metadata(rk, 1, nullptr, &metadata, 5000);
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    return err;
  }

  static std::string* dir_;
  static testing::KafkaBroker* broker_;
};

std::string* KafkaAclsTest::dir_ = nullptr;
testing::KafkaBroker* KafkaAclsTest::broker_ = nullptr;

TEST_F(KafkaAclsTest, OnlyTheOwnerOfATopicMayPublishOnItSoAForgedShipmentEventIsRefused) {
  EXPECT_EQ(Publish("shipping", kShipmentTopic), RD_KAFKA_RESP_ERR_NO_ERROR);
  for (const std::string forger : {"cart", "checkout", "payments", "inventory", "catalog", "gateway", "intruder"}) {
    EXPECT_EQ(Publish(forger, kShipmentTopic), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) << forger;
  }
  EXPECT_EQ(Publish("payments", kPaymentTopic), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(Publish("shipping", kPaymentTopic), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  // A consumer may dead-letter; the catalog consumes nothing, so it may not.
  EXPECT_EQ(Publish("cart", kDeadLetterTopic), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(Publish("catalog", kDeadLetterTopic), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  // Replay requests come from the gateway alone; it writes no service's topic (above).
  EXPECT_EQ(Publish("gateway", kReplayTopic), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(Publish("cart", kReplayTopic), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
}

TEST_F(KafkaAclsTest, AServiceReadsOnlyTheTopicsItConsumesInItsOwnGroup) {
  EXPECT_EQ(Read("payments", kShipmentTopic, "payments"), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(Read("cart", kOrderTopic, "cart"), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(Read("cart", kPaymentTopic, "cart"), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
      << "the cart consumes orders only";
  EXPECT_EQ(Read("cart", kOrderTopic, "payments"), RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED)
      << "a group not its own";
  EXPECT_EQ(Read("intruder", kOrderTopic, "intruder"), RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED)
      << "no grant, not even a group";
  EXPECT_EQ(Read("gateway", kDeadLetterTopic, "storefront-gateway-console"), RD_KAFKA_RESP_ERR_NO_ERROR);
  // Every consumer reads the replay requests, and fetches a replayed event in "<group>-replay".
  EXPECT_EQ(Read("cart", kReplayTopic, "cart"), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(Read("cart", kOrderTopic, "cart-replay"), RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST_F(KafkaAclsTest, NothingConnectsWithoutACertificateOfTheStoresCa) {
  const config::TlsSettings none{.plaintext = true};
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> plaintext(Client("plaintext", &none), rd_kafka_destroy);
  EXPECT_NE(Metadata(plaintext.get()), RD_KAFKA_RESP_ERR_NO_ERROR) << "a plaintext client got an answer";
  // TLS that trusts the broker but shows no certificate of its own.
  auto settings = internal::ClientConfig(broker_->bootstrap(), none);
  settings["security.protocol"] = "ssl";
  settings["ssl.ca.location"] = Identity("shipping").ca_file;
  char errstr[512];
  rd_kafka_conf_t* conf = internal::MakeConf(settings);
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> anonymous(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr), rd_kafka_destroy);
  ASSERT_TRUE(anonymous) << errstr;
  EXPECT_NE(Metadata(anonymous.get()), RD_KAFKA_RESP_ERR_NO_ERROR) << "a client without a certificate got an answer";
  // Another CA's "shipping": the broker refuses its certificate in the handshake.
  config::TlsSettings other = Identity("shipping", "other");
  other.ca_file = Identity("shipping").ca_file;  // it trusts the broker, the broker does not trust it
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> stranger(Client("shipping", &other), rd_kafka_destroy);
  EXPECT_NE(Metadata(stranger.get()), RD_KAFKA_RESP_ERR_NO_ERROR) << "a certificate of another CA got an answer";
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> shipping(Client("shipping"), rd_kafka_destroy);
  EXPECT_EQ(Metadata(shipping.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST_F(KafkaAclsTest, ReconcilingRemovesAStrayGrantAndThenChangesNothing) {
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> admin(Client("kafka"), rd_kafka_destroy);
  auto with_stray = AclsOf(KafkaGrants());
  const KafkaAcl stray{"User:intruder", "WRITE", "TOPIC", std::string(kShipmentTopic), "LITERAL"};
  with_stray.push_back(stray);
  auto added = Reconcile(admin.get(), with_stray, seconds(10));
  EXPECT_EQ(added.created, std::vector<KafkaAcl>{stray});
  EXPECT_TRUE(added.deleted.empty());
  EXPECT_EQ(Publish("intruder", kShipmentTopic), RD_KAFKA_RESP_ERR_NO_ERROR) << "the stray grant is in force";

  auto removed = Reconcile(admin.get(), AclsOf(KafkaGrants()), seconds(10));
  EXPECT_TRUE(removed.created.empty());
  EXPECT_EQ(removed.deleted, std::vector<KafkaAcl>{stray});
  auto again = Reconcile(admin.get(), AclsOf(KafkaGrants()), seconds(10));
  EXPECT_TRUE(again.created.empty());
  EXPECT_TRUE(again.deleted.empty());
  EXPECT_EQ(Publish("intruder", kShipmentTopic), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
}

TEST_F(KafkaAclsTest, OnlyTheBrokersSuperUserMayChangeTheAcls) {
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> gateway(Client("gateway"), rd_kafka_destroy);
  EXPECT_THROW(Reconcile(gateway.get(), AclsOf(KafkaGrants()), seconds(10)), AclsRefused);
}

}  // namespace
}  // namespace storefront::events
