// Reading events for operators without a broker: envelope and payload decoding, dead-letter
// headers, newest-first ordering, and the replay rules over a fake EventLog.
#include "eventlog/event_log.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "shared/errors/errors.h"
#include "shared/events/topics.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::gateway::eventlog {
namespace {

using google::protobuf::util::TimeUtil;
namespace ev = storefront::events::v1;

constexpr const char* kOrder = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";

TopicMessage EnvelopeMessage(const google::protobuf::Message& payload, std::int64_t occurred_seconds, int partition = 0,
                             std::int64_t offset = 0, const std::string& payload_type = "") {
  ev::EventEnvelope envelope;
  envelope.set_event_id("9b2d1c52-7c1f-4e57-9a4e-3f0a2b1c0d9e");
  envelope.set_event_type(std::string(events::types::kOrderPlaced));
  envelope.set_aggregate_type("order");
  envelope.set_aggregate_id(kOrder);
  envelope.set_producer("checkout");
  *envelope.mutable_occurred_at() = TimeUtil::SecondsToTimestamp(occurred_seconds);
  envelope.set_payload(payload.SerializeAsString());
  envelope.set_payload_type(payload_type.empty() ? payload.GetDescriptor()->full_name() : payload_type);
  TopicMessage message;
  message.topic = std::string(events::kOrderTopic);
  message.partition = partition;
  message.offset = offset;
  message.key = kOrder;
  message.value = envelope.SerializeAsString();
  return message;
}

ev::OrderPlaced Placed() {
  ev::OrderPlaced placed;
  placed.set_order_id(kOrder);
  placed.set_customer_email("ada@example.com");
  placed.mutable_total()->set_amount_minor(6499);
  placed.mutable_total()->set_currency("USD");
  return placed;
}

TEST(EventJsonTest, DecodesTheEnvelopeAndItsPayloadByType) {
  auto json = EventJson(EnvelopeMessage(Placed(), 1'800'000'000, 2, 41));
  EXPECT_EQ(json["topic"], "storefront.checkout.order.v1");
  EXPECT_EQ(json["partition"], 2);
  EXPECT_EQ(json["offset"], 41);
  EXPECT_EQ(json["key"], kOrder);
  EXPECT_EQ(json["event_id"], "9b2d1c52-7c1f-4e57-9a4e-3f0a2b1c0d9e");
  EXPECT_EQ(json["event_type"], "storefront.checkout.order.placed.v1");
  EXPECT_EQ(json["aggregate_id"], kOrder);
  EXPECT_EQ(json["producer"], "checkout");
  EXPECT_EQ(json["occurred_at"], "2027-01-15T08:00:00Z");
  ASSERT_TRUE(json["payload"].is_object()) << json.dump();
  EXPECT_EQ(json["payload"]["order_id"], kOrder) << "proto field names, not lowerCamelCase";
  EXPECT_EQ(json["payload"]["customer_email"], "ada@example.com");
  // The proto3 JSON mapping writes 64-bit integers as strings.
  EXPECT_EQ(json["payload"]["total"]["amount_minor"], "6499");
  EXPECT_TRUE(json["payload"].contains("shipping_option_id")) << "empty fields are printed too";
}

TEST(EventJsonTest, WhatIsNotAKnownEventKeepsItsPositionAndHasANullPayload) {
  TopicMessage garbage;
  garbage.topic = "storefront.checkout.order.v1";
  garbage.partition = 1;
  garbage.offset = 7;
  garbage.key = std::string("k\xff\x01", 3);
  garbage.value = "\xff\xff\xff not protobuf";
  auto json = EventJson(garbage);
  EXPECT_EQ(json["offset"], 7);
  EXPECT_TRUE(json["payload"].is_null());
  EXPECT_TRUE(json["occurred_at"].is_null());
  EXPECT_NO_THROW(json.dump()) << "bytes that are not UTF-8 are replaced, not passed on";

  auto unknown = EventJson(EnvelopeMessage(Placed(), 1'800'000'000, 0, 0, "storefront.events.v1.NoSuchEvent"));
  EXPECT_EQ(unknown["event_type"], "storefront.checkout.order.placed.v1");
  EXPECT_TRUE(unknown["payload"].is_null());
  // Only event payloads are decoded, whatever other message types the gateway links.
  auto foreign = EventJson(EnvelopeMessage(Placed(), 1'800'000'000, 0, 0, "storefront.checkout.v1.PlaceOrderRequest"));
  EXPECT_TRUE(foreign["payload"].is_null());
}

TEST(EventJsonTest, NewestFirstByOccurredAtAcrossPartitionsThenLimited) {
  std::vector<TopicMessage> messages = {EnvelopeMessage(Placed(), 100, 0, 5), EnvelopeMessage(Placed(), 300, 1, 0),
                                        EnvelopeMessage(Placed(), 200, 2, 9), EnvelopeMessage(Placed(), 400, 0, 6)};
  auto newest = NewestEvents(messages, 3);
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest[0]["offset"], 6);
  EXPECT_EQ(newest[1]["partition"], 1);
  EXPECT_EQ(newest[2]["partition"], 2);
  EXPECT_EQ(NewestEvents(messages, 10).size(), 4u);
}

TopicMessage DeadLetter(int partition, std::int64_t offset, std::int64_t at_ms, const std::string& original) {
  TopicMessage message;
  message.topic = std::string(events::kDeadLetterTopic);
  message.partition = partition;
  message.offset = offset;
  message.key = kOrder;
  message.value = "original bytes";
  message.timestamp_ms = at_ms;
  message.headers = {{"error", "payload does not parse"},
                     {"original_topic", original},
                     {"original_partition", "1"},
                     {"original_offset", "17"},
                     {"consumer_group", "inventory"},
                     {"event_type", "storefront.checkout.order.placed.v1"}};
  return message;
}

TEST(DeadLetterJsonTest, ReadsTheConsumersHeaders) {
  auto json = DeadLetterJson(DeadLetter(2, 9, 1'800'000'000'000, "storefront.checkout.order.v1"));
  EXPECT_EQ(json, nlohmann::json::parse(R"({"partition": 2, "offset": 9,
      "original_topic": "storefront.checkout.order.v1", "error": "payload does not parse",
      "consumer_group": "inventory", "event_type": "storefront.checkout.order.placed.v1",
      "key": "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11", "at": "2027-01-15T08:00:00Z"})"));
  auto newest = NewestDeadLetters({DeadLetter(0, 1, 1000, "a"), DeadLetter(1, 0, 3000, "b"), DeadLetter(2, 4, 2000, "c")}, 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0]["original_topic"], "b");
  EXPECT_EQ(newest[1]["original_topic"], "c");
}

class FakeEventLog final : public EventLog {
 public:
  std::vector<TopicMessage> Newest(const std::string&, int) override { return {}; }
  std::optional<TopicMessage> At(const std::string& topic, int partition, std::int64_t offset) override {
    for (const auto& message : stored) {
      if (message.topic == topic && message.partition == partition && message.offset == offset) return message;
    }
    return std::nullopt;
  }
  void Produce(const TopicMessage& message) override { produced.push_back(message); }
  BrokerHealth Check() override { return {true, "fake"}; }

  std::vector<TopicMessage> stored;
  std::vector<TopicMessage> produced;
};

// A replay is a request to the group that dead-lettered the event (the other groups applied it
// the first time) naming where the event is on its own topic; it carries none of the dead
// letter's bytes, so nothing a dead letter holds can reach a handler that way.
TEST(ReplayTest, AsksTheGroupThatFailedTheEventToReadItAgainFromItsOwnTopic) {
  FakeEventLog log;
  log.stored.push_back(DeadLetter(1, 12, 1000, "storefront.checkout.order.v1"));
  EXPECT_EQ(Replay(log, 1, 12), "storefront.checkout.order.v1");
  ASSERT_EQ(log.produced.size(), 1u);
  const auto& request = log.produced[0];
  EXPECT_EQ(request.topic, "storefront.gateway.replay.v1");
  EXPECT_EQ(request.key, kOrder);
  EXPECT_EQ(request.value, "") << "the dead letter's bytes are not replayed";
  EXPECT_EQ(request.headers, (std::map<std::string, std::string>{{"replayed_from", "1/12"},
                                                                {"replay_for_group", "inventory"},
                                                                {"original_topic", "storefront.checkout.order.v1"},
                                                                {"original_partition", "1"},
                                                                {"original_offset", "17"}}));
}

TEST(ReplayTest, RefusesWhatIsMissingOrHasNowhereToGo) {
  FakeEventLog log;
  EXPECT_THROW(Replay(log, 0, 0), NotFound);
  log.stored.push_back(DeadLetter(0, 1, 1000, "some.other.topic"));
  log.stored.push_back(DeadLetter(0, 2, 1000, std::string(events::kDeadLetterTopic)));
  log.stored.push_back(DeadLetter(0, 3, 1000, ""));
  log.stored.push_back(DeadLetter(0, 4, 1000, std::string(events::kReplayTopic)));
  auto no_offset = DeadLetter(0, 5, 1000, "storefront.checkout.order.v1");
  no_offset.headers["original_offset"] = "17; DROP";
  log.stored.push_back(no_offset);
  auto no_group = DeadLetter(0, 6, 1000, "storefront.checkout.order.v1");
  no_group.headers.erase("consumer_group");
  log.stored.push_back(no_group);
  EXPECT_THROW(Replay(log, 0, 1), FailedPrecondition);
  EXPECT_THROW(Replay(log, 0, 2), FailedPrecondition) << "never back onto the dead-letter topic itself";
  EXPECT_THROW(Replay(log, 0, 3), FailedPrecondition);
  EXPECT_THROW(Replay(log, 0, 4), FailedPrecondition) << "a failed replay request is not an event to replay";
  EXPECT_THROW(Replay(log, 0, 5), FailedPrecondition) << "no position, nothing to read";
  EXPECT_THROW(Replay(log, 0, 6), FailedPrecondition) << "no group, nobody to ask";
  EXPECT_TRUE(log.produced.empty());
}

}  // namespace
}  // namespace storefront::gateway::eventlog
