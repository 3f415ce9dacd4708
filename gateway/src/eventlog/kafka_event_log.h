// The EventLog port over the broker: shared/events' TopicLog, which reads by assignment (no
// group joined, nothing committed) and configures librdkafka as the services do.
#pragma once

#include <chrono>
#include <string>

#include "eventlog/event_log.h"
#include "shared/events/topic_log.h"

namespace storefront::gateway::eventlog {

class KafkaEventLog final : public EventLog {
 public:
  // `tls`: the gateway's identity for the broker (none: plaintext).
  KafkaEventLog(std::string bootstrap_servers, config::TlsSettings tls,
                std::chrono::milliseconds timeout = std::chrono::seconds(1));

  std::vector<TopicMessage> Newest(const std::string& topic, int per_partition) override;
  std::optional<TopicMessage> At(const std::string& topic, int partition, std::int64_t offset) override;
  void Produce(const TopicMessage& message) override;
  BrokerHealth Check() override;

 private:
  storefront::events::TopicLog topics_;
};

}  // namespace storefront::gateway::eventlog
