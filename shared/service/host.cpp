#include "shared/service/host.h"

namespace storefront::service {

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
