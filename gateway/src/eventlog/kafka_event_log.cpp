#include "eventlog/kafka_event_log.h"

namespace storefront::gateway::eventlog {

KafkaEventLog::KafkaEventLog(std::string bootstrap_servers, config::TlsSettings tls,
                             std::chrono::milliseconds timeout)
    : topics_({.bootstrap_servers = std::move(bootstrap_servers),
               .tls = std::move(tls),
               .client_id = "storefront-gateway-console",
               .timeout = timeout}) {}

std::vector<TopicMessage> KafkaEventLog::Newest(const std::string& topic, int per_partition) {
  return topics_.Newest(topic, per_partition);
}

std::optional<TopicMessage> KafkaEventLog::At(const std::string& topic, int partition, std::int64_t offset) {
  return topics_.At(topic, partition, offset);
}

void KafkaEventLog::Produce(const TopicMessage& message) { topics_.Produce(message); }

BrokerHealth KafkaEventLog::Check() { return topics_.Check(); }

}  // namespace storefront::gateway::eventlog
