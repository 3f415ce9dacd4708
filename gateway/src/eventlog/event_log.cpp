#include "eventlog/event_log.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <limits>
#include <tuple>

#include "shared/errors/errors.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "shared/types/proto.h"
#include "storefront/events/v1/catalog_events.pb.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/envelope.pb.h"
#include "storefront/events/v1/inventory_events.pb.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"

namespace storefront::gateway::eventlog {
namespace {

using google::protobuf::util::TimeUtil;
namespace ev = storefront::events::v1;

constexpr std::string_view kPayloadPackage = "storefront.events.v1.";

// The generated pool only holds the descriptors of .pb.cc files linked into the binary, and a
// static library's object file is linked only when something uses it. Naming one message of
// each events file here is that use: every payload type is then findable by name.
void LinkPayloadDescriptors() {
  static const bool linked = [] {
    for (const auto* descriptor : {ev::ProductCreated::descriptor(), ev::OrderPlaced::descriptor(),
                                   ev::StockChanged::descriptor(), ev::ShipmentCreated::descriptor(),
                                   ev::PaymentAuthorized::descriptor()}) {
      (void)descriptor;
    }
    return true;
  }();
  (void)linked;
}

// The payload as JSON with proto field names, or null when it is not a storefront event payload
// this binary knows or does not parse as one.
nlohmann::json PayloadJson(const std::string& type, const std::string& bytes) {
  LinkPayloadDescriptors();
  // Only event payloads: a hostile payload_type must not make the gateway print any message
  // type it happens to link (requests with card numbers, for one).
  if (type.rfind(kPayloadPackage, 0) != 0) return nullptr;
  const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
  if (descriptor == nullptr) return nullptr;
  static google::protobuf::DynamicMessageFactory factory;  // GetPrototype is thread-safe
  std::unique_ptr<google::protobuf::Message> message(factory.GetPrototype(descriptor)->New());
  if (!message->ParseFromString(bytes)) return nullptr;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(*message, &text, options).ok()) return nullptr;
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? nlohmann::json(nullptr) : json;
}

std::string Header(const TopicMessage& message, const std::string& name) {
  auto it = message.headers.find(name);
  return it == message.headers.end() ? std::string() : it->second;
}

// A partition or offset as the consumer writes it: decimal digits, at most 18 of them.
bool IsNumber(const std::string& text) {
  return !text.empty() && text.size() <= 18 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

nlohmann::json TimestampJson(const TopicMessage& message) {
  if (!message.timestamp_ms) return nullptr;
  return TimeUtil::ToString(types::ToProto(types::FromMicros(*message.timestamp_ms * 1000)));
}

// Text for JSON: nlohmann refuses to serialize invalid UTF-8, and keys and headers are bytes.
std::string Printable(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool valid = length > 0 && i + length <= bytes.size();
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(bytes[i + k]) & 0xc0) == 0x80;
    if (valid && length == 1 && (c < 0x20 || c == 0x7f)) valid = false;
    if (valid) {
      out.append(bytes, i, length);
      i += length;
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
    }
  }
  return out;
}

// Newest first, ties broken by message time and then offset, so the order is total.
template <typename Key>
std::vector<nlohmann::json> NewestFirst(std::vector<std::pair<Key, nlohmann::json>> keyed, std::size_t limit) {
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<nlohmann::json> out;
  for (auto& [key, json] : keyed) {
    if (out.size() == limit) break;
    out.push_back(std::move(json));
  }
  return out;
}

}  // namespace

// --- JSON --------------------------------------------------------------------------------------

bool IsStoreTopic(const std::string& name) {
  return std::any_of(events::kTopics.begin(), events::kTopics.end(),
                     [&](const events::TopicInfo& topic) { return topic.name == name; });
}

nlohmann::json EventJson(const TopicMessage& message) {
  nlohmann::json out = {{"topic", message.topic},
                        {"partition", message.partition},
                        {"offset", message.offset},
                        {"key", Printable(message.key)},
                        {"event_id", ""},
                        {"event_type", ""},
                        {"aggregate_id", ""},
                        {"occurred_at", nullptr},
                        {"producer", ""},
                        {"payload", nullptr}};
  ev::EventEnvelope envelope;
  if (!envelope.ParseFromString(message.value)) return out;
  out["event_id"] = Printable(envelope.event_id());
  out["event_type"] = Printable(envelope.event_type());
  out["aggregate_id"] = Printable(envelope.aggregate_id());
  out["producer"] = Printable(envelope.producer());
  if (envelope.has_occurred_at()) out["occurred_at"] = TimeUtil::ToString(envelope.occurred_at());
  out["payload"] = PayloadJson(envelope.payload_type(), envelope.payload());
  return out;
}

nlohmann::json DeadLetterJson(const TopicMessage& message) {
  return {{"partition", message.partition},
          {"offset", message.offset},
          {"original_topic", Printable(Header(message, "original_topic"))},
          {"error", Printable(Header(message, "error"))},
          {"consumer_group", Printable(Header(message, "consumer_group"))},
          {"event_type", Printable(Header(message, "event_type"))},
          {"key", Printable(message.key)},
          {"at", TimestampJson(message)}};
}

std::vector<nlohmann::json> NewestEvents(const std::vector<TopicMessage>& messages, std::size_t limit) {
  using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, int>;  // occurred, timestamp, offset, partition
  std::vector<std::pair<Key, nlohmann::json>> keyed;
  for (const auto& message : messages) {
    ev::EventEnvelope envelope;
    std::int64_t occurred = std::numeric_limits<std::int64_t>::min();
    if (envelope.ParseFromString(message.value) && envelope.has_occurred_at()) {
      // An absurd time (a hostile or broken producer) sorts as the oldest.
      if (auto at = types::FromProto(envelope.occurred_at())) occurred = types::ToMicros(*at);
    }
    keyed.push_back({Key{occurred, message.timestamp_ms.value_or(-1), message.offset, message.partition},
                     EventJson(message)});
  }
  return NewestFirst(std::move(keyed), limit);
}

std::vector<nlohmann::json> NewestDeadLetters(const std::vector<TopicMessage>& messages, std::size_t limit) {
  using Key = std::tuple<std::int64_t, std::int64_t, int>;  // timestamp, offset, partition
  std::vector<std::pair<Key, nlohmann::json>> keyed;
  for (const auto& message : messages) {
    keyed.push_back({Key{message.timestamp_ms.value_or(-1), message.offset, message.partition},
                     DeadLetterJson(message)});
  }
  return NewestFirst(std::move(keyed), limit);
}

std::string Replay(EventLog& log, int partition, std::int64_t offset) {
  const std::string dead_letters(events::kDeadLetterTopic);
  auto letter = log.At(dead_letters, partition, offset);
  if (!letter) {
    throw NotFound("no dead letter at partition " + std::to_string(partition) + ", offset " + std::to_string(offset));
  }
  const std::string where = std::to_string(partition) + "/" + std::to_string(offset);
  const std::string original = Header(*letter, std::string(events::kOriginalTopicHeader));
  if (!IsStoreTopic(original) || original == dead_letters || original == events::kReplayTopic) {
    throw FailedPrecondition("the dead letter at " + where + " names no topic of the store to replay to (original_topic \"" +
                             Printable(original.substr(0, 100)) + "\")");
  }
  const std::string original_partition = Header(*letter, std::string(events::kOriginalPartitionHeader));
  const std::string original_offset = Header(*letter, std::string(events::kOriginalOffsetHeader));
  const std::string group = Header(*letter, "consumer_group");
  if (!IsNumber(original_partition) || !IsNumber(original_offset) || group.empty()) {
    throw FailedPrecondition("the dead letter at " + where +
                             " does not say where its event is or which group failed it (original_partition, "
                             "original_offset, consumer_group)");
  }
  // A request, not the event: the group that dead-lettered it reads the event from its owner's
  // topic at that position, so what it applies is what the owner published, whatever the dead
  // letter holds. Every other group skips the request.
  TopicMessage request;
  request.topic = std::string(events::kReplayTopic);
  request.key = letter->key;  // one aggregate's replays stay in order
  request.headers = {{std::string(events::kReplayForGroupHeader), group},
                     {std::string(events::kOriginalTopicHeader), original},
                     {std::string(events::kOriginalPartitionHeader), original_partition},
                     {std::string(events::kOriginalOffsetHeader), original_offset},
                     {"replayed_from", where}};
  log.Produce(request);
  log::Info("dead letter replayed",
            {{"partition", partition}, {"offset", offset}, {"topic", original}, {"group", group}});
  return original;
}

}  // namespace storefront::gateway::eventlog
