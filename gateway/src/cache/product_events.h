// Keeps the gateway's ReadCache in step with the catalog: follows the product topic
// (events::TopicFollower, from its end, no consumer group, so every gateway replica sees every
// event) and drops what each event makes stale. The cache is live only while the follower is
// following; before that, and whenever it stops, every catalog read goes to the catalog.
#pragma once

#include <memory>
#include <string>

#include "cache/read_cache.h"
#include "shared/events/topic_log.h"

namespace storefront::gateway::cache {

// What one message of the product topic drops: the product its envelope names (the aggregate
// id), or everything when the message cannot be read as an envelope naming a product.
void ApplyProductEvent(ReadCache& cache, const events::TopicMessage& message);

class ProductEvents {
 public:
  // `tls`: the gateway's identity for the broker (none: plaintext).
  ProductEvents(std::shared_ptr<ReadCache> cache, std::string bootstrap_servers, config::TlsSettings tls);
  void Start();  // returns at once; the cache goes live when following begins
  void Stop();   // the cache is no longer live

 private:
  std::shared_ptr<ReadCache> cache_;
  events::TopicFollower follower_;
};

}  // namespace storefront::gateway::cache
