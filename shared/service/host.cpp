#include "shared/service/host.h"

namespace storefront::service {

rpc::ServerOptions ServerOptionsFor(const config::ServiceSettings& settings, std::shared_ptr<const rpc::Tls> tls,
                                    std::vector<rpc::Grant> callers) {
  return {.listen_address = settings.grpc_address,
          .tls = std::move(tls),
          .callers = std::move(callers),
          .reflection = settings.grpc_reflection};
}

events::ServiceEventsOptions EventsOptionsFor(const config::ServiceSettings& settings, std::string name,
                                              std::vector<std::string> consumes, bool publishes) {
  return {.bootstrap_servers = settings.kafka_bootstrap_servers,
          .tls = settings.kafka_tls,
          .schema = name,
          .name = name,
          .publishes = publishes,
          .consumes = std::move(consumes),
          .group_instance_id = settings.kafka_group_instance_id};
}

int Host::Start() {
  {
    auto connection = parts_.pool.Acquire();
    db::Migrate(*connection, parts_.schema, parts_.migrations);
  }
  parts_.events.Start();
  for (auto* task : parts_.tasks) task->Start();
  return parts_.server.Start();
}

void Host::ServeUntil(rpc::TerminationSignals& signals) {
  signals.Wait();
  Shutdown();
}

void Host::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  parts_.server.Shutdown();
  parts_.events.StopConsumer();
  for (auto* task : parts_.tasks) task->Stop();
  parts_.events.StopRelay();
}

}  // namespace storefront::service
