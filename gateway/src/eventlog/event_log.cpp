#include "routes/admin_events.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <tuple>

#include "shared/errors/errors.h"
#include "shared/events/internal/kafka.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "storefront/events/v1/catalog_events.pb.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "storefront/events/v1/envelope.pb.h"
#include "storefront/events/v1/inventory_events.pb.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "storefront/events/v1/shipping_events.pb.h"

namespace storefront::gateway::admin {
namespace {

using google::protobuf::util::TimeUtil;
namespace ev = storefront::events::v1;

constexpr std::string_view kPayloadPackage = "storefront.events.v1.";
// How long one read may take in all, past the per-request timeout: the broker answers
// watermarks at once, so this only bounds a broker that stalls mid-fetch.
constexpr auto kReadBudget = std::chrono::seconds(5);

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

nlohmann::json TimestampJson(const TopicMessage& message) {
  if (!message.timestamp_ms) return nullptr;
  return TimeUtil::ToString(TimeUtil::MillisecondsToTimestamp(*message.timestamp_ms));
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

// --- librdkafka --------------------------------------------------------------------------------

std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> Owned(rd_kafka_message_t* message) {
  return {message, rd_kafka_message_destroy};
}

TopicMessage FromKafka(const rd_kafka_message_t& message) {
  TopicMessage out;
  out.topic = rd_kafka_topic_name(message.rkt);
  out.partition = message.partition;
  out.offset = message.offset;
  if (message.key != nullptr) out.key.assign(static_cast<const char*>(message.key), message.key_len);
  if (message.payload != nullptr) out.value.assign(static_cast<const char*>(message.payload), message.len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      out.headers[name] = value == nullptr ? std::string() : std::string(static_cast<const char*>(value), size);
    }
  }
  rd_kafka_timestamp_type_t type;
  const std::int64_t timestamp = rd_kafka_message_timestamp(&message, &type);
  if (timestamp >= 0) out.timestamp_ms = timestamp;
  return out;
}

// A consumer that reads by assignment only: it joins no group and commits nothing (librdkafka
// wants a group.id before it assigns partitions, but a group is only joined on subscribe).
class Reader {
 public:
  Reader(const std::string& bootstrap, std::chrono::milliseconds timeout) : timeout_(timeout) {
    rd_kafka_conf_t* conf = events::internal::MakeConf({{"bootstrap.servers", bootstrap},
                                                        {"group.id", "storefront-gateway-console"},
                                                        {"client.id", "storefront-gateway-console"},
                                                        {"enable.auto.commit", "false"},
                                                        {"enable.auto.offset.store", "false"},
                                                        {"enable.partition.eof", "true"},
                                                        {"auto.offset.reset", "earliest"},
                                                        {"socket.timeout.ms", "10000"}});
    char errstr[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error(std::string("cannot create a kafka reader: ") + errstr);
    }
  }
  ~Reader() {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // The topic's partition ids; empty when the broker does not know the topic.
  std::vector<int> Partitions(const std::string& topic) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, handle, &metadata, Millis());
    rd_kafka_topic_destroy(handle);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) Unreachable(err);
    std::vector<int> partitions;
    for (int t = 0; t < metadata->topic_cnt; ++t) {
      const auto& info = metadata->topics[t];
      if (topic != info.topic || info.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      for (int p = 0; p < info.partition_cnt; ++p) partitions.push_back(info.partitions[p].id);
    }
    rd_kafka_metadata_destroy(metadata);
    std::sort(partitions.begin(), partitions.end());
    return partitions;
  }

  std::pair<std::int64_t, std::int64_t> Watermarks(const std::string& topic, int partition) {
    std::int64_t low = 0, high = 0;
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk_, topic.c_str(), partition, &low, &high, Millis());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) Unreachable(err);
    return {low, high};
  }

  // Reads each partition of `ranges` from its start offset up to (not including) its end.
  // `take` sees each message and returns true when it needs nothing more from that partition.
  void Read(const std::string& topic, const std::map<int, std::pair<std::int64_t, std::int64_t>>& ranges,
            const std::function<bool(const rd_kafka_message_t&)>& take) {
    if (ranges.empty()) return;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(ranges.size()));
    for (const auto& [partition, range] : ranges) {
      rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = range.first;
    }
    const rd_kafka_resp_err_t err = rd_kafka_assign(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) Unreachable(err);

    std::map<int, std::int64_t> open;  // partition -> end offset
    for (const auto& [partition, range] : ranges) open[partition] = range.second;
    const auto deadline = std::chrono::steady_clock::now() + timeout_ + kReadBudget;
    while (!open.empty()) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw Unavailable("the Kafka broker did not return the messages of " + topic + " in time");
      }
      auto message = Owned(rd_kafka_consumer_poll(rk_, 100));
      if (!message) continue;
      auto it = open.find(message->partition);
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (it != open.end()) open.erase(it);
        continue;
      }
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log::Warn("console: kafka read error", {{"topic", topic}, {"error", rd_kafka_err2name(message->err)}});
        continue;
      }
      if (it == open.end()) continue;
      const bool done = take(*message) || message->offset + 1 >= it->second;
      if (done) open.erase(it);
    }
  }

 private:
  int Millis() const { return static_cast<int>(timeout_.count()); }
  [[noreturn]] static void Unreachable(rd_kafka_resp_err_t err) {
    throw Unavailable("the Kafka broker is unavailable (" + events::internal::ErrorText(err) + ")");
  }

  rd_kafka_t* rk_ = nullptr;
  std::chrono::milliseconds timeout_;
};

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

// --- KafkaEventLog -------------------------------------------------------------------------------

KafkaEventLog::KafkaEventLog(std::string bootstrap_servers, std::chrono::milliseconds timeout)
    : bootstrap_(std::move(bootstrap_servers)), timeout_(timeout) {}

KafkaEventLog::~KafkaEventLog() = default;

events::internal::KafkaProducer& KafkaEventLog::Producer() {
  if (!producer_) {
    producer_ = std::make_unique<events::internal::KafkaProducer>(events::internal::KafkaConfig{
        {"bootstrap.servers", bootstrap_},
        {"client.id", "storefront-gateway-console"},
        {"acks", "all"},
        {"message.timeout.ms", "5000"}});
  }
  return *producer_;
}

std::vector<TopicMessage> KafkaEventLog::Newest(const std::string& topic, int per_partition) {
  Reader reader(bootstrap_, timeout_);
  std::map<int, std::pair<std::int64_t, std::int64_t>> ranges;
  for (int partition : reader.Partitions(topic)) {
    auto [low, high] = reader.Watermarks(topic, partition);
    if (high > low) ranges[partition] = {std::max(low, high - per_partition), high};
  }
  std::vector<TopicMessage> messages;
  reader.Read(topic, ranges, [&](const rd_kafka_message_t& message) {
    messages.push_back(FromKafka(message));
    return false;
  });
  return messages;
}

std::optional<TopicMessage> KafkaEventLog::At(const std::string& topic, int partition, std::int64_t offset) {
  Reader reader(bootstrap_, timeout_);
  auto partitions = reader.Partitions(topic);
  if (std::find(partitions.begin(), partitions.end(), partition) == partitions.end()) return std::nullopt;
  auto [low, high] = reader.Watermarks(topic, partition);
  if (offset < low || offset >= high) return std::nullopt;
  std::optional<TopicMessage> found;
  reader.Read(topic, {{partition, {offset, high}}}, [&](const rd_kafka_message_t& message) {
    if (message.offset == offset) found = FromKafka(message);
    return message.offset >= offset;
  });
  return found;
}

void KafkaEventLog::Produce(const TopicMessage& message) {
  events::internal::OutgoingMessage outgoing{message.topic, message.key, message.value, {}};
  for (const auto& header : message.headers) outgoing.headers.push_back(header);
  std::lock_guard lock(mutex_);
  const auto result = Producer().Deliver({outgoing}, std::chrono::seconds(6));
  if (result.at(0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw Unavailable("the Kafka broker did not take the message (" + events::internal::ErrorText(result[0]) + ")");
  }
}

BrokerHealth KafkaEventLog::Check() {
  rd_kafka_t* handle = nullptr;
  {
    std::lock_guard lock(mutex_);
    handle = Producer().handle();  // the producer lives as long as this object
  }
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(handle, /*all_topics=*/0, nullptr, &metadata, static_cast<int>(timeout_.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return {false, events::internal::ErrorText(err)};
  const int brokers = metadata->broker_cnt;
  rd_kafka_metadata_destroy(metadata);
  if (brokers == 0) return {false, "no brokers in the cluster metadata"};
  return {true, std::to_string(brokers) + (brokers == 1 ? " broker" : " brokers")};
}

// --- JSON --------------------------------------------------------------------------------------

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
      occurred = TimeUtil::TimestampToMicroseconds(envelope.occurred_at());
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
  const std::string original = Header(*letter, "original_topic");
  const bool known = std::any_of(events::kTopics.begin(), events::kTopics.end(),
                                 [&](const events::TopicInfo& topic) { return topic.name == original; });
  if (!known || original == dead_letters) {
    throw FailedPrecondition("the dead letter at " + std::to_string(partition) + "/" + std::to_string(offset) +
                             " names no topic of the store to replay to (original_topic \"" +
                             Printable(original.substr(0, 100)) + "\")");
  }
  TopicMessage copy;
  copy.topic = original;
  copy.key = letter->key;
  copy.value = letter->value;
  copy.headers["replayed_from"] = std::to_string(partition) + "/" + std::to_string(offset);
  log.Produce(copy);
  log::Info("dead letter replayed", {{"partition", partition}, {"offset", offset}, {"topic", original}});
  return original;
}

}  // namespace storefront::gateway::admin
