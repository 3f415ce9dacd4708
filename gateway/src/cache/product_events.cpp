#include "cache/product_events.h"

#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "shared/types/uuid.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::gateway::cache {

void ApplyProductEvent(ReadCache& cache, const events::TopicMessage& message) {
  storefront::events::v1::EventEnvelope envelope;
  if (envelope.ParseFromString(message.value) && types::IsUuid(envelope.aggregate_id())) {
    cache.InvalidateProduct(types::NormalizeUuid(envelope.aggregate_id()));
    return;
  }
  log::Warn("read cache: a product event without a product id; every cached read dropped",
            {{"topic", message.topic}, {"partition", message.partition}, {"offset", message.offset}});
  cache.InvalidateAll();
}

ProductEvents::ProductEvents(std::shared_ptr<ReadCache> cache, std::string bootstrap_servers,
                             config::TlsSettings tls)
    : cache_(std::move(cache)),
      follower_({.bootstrap_servers = std::move(bootstrap_servers),
                 .tls = std::move(tls),
                 .client_id = "storefront-gateway-read-cache"},
                std::string(events::kProductTopic),
                [cache = cache_](const events::TopicMessage& message) { ApplyProductEvent(*cache, message); },
                [cache = cache_](bool following) { cache->SetLive(following); }) {}

void ProductEvents::Start() { follower_.Start(); }

void ProductEvents::Stop() { follower_.Stop(); }

}  // namespace storefront::gateway::cache
