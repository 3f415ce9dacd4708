// Cache-aside for the public catalog reads, invalidated by the catalog's product events.
//
// A product page is read thousands of times for each time an operator changes it. So the gateway
// keeps each read's answer (its body and ETag) and serves it again without asking the catalog,
// until the catalog says the product changed: every ProductCreated, ProductChanged and
// ProductDeactivated event drops that product's page and every list (a list or a category count
// may include any product). The events come through the topic every replica follows for itself
// (cache/product_events.h), and an operator's change made through this gateway drops the entries
// at once, before the event arrives. So a changed product is served stale for no longer than
// its event takes to reach the gateway.
//
// - Only while live: the cache answers only while the events can reach it. Until the follower
//   is following, and whenever it stops, every lookup misses and the entries are dropped.
// - The fill race: a read that missed asks the catalog; if an invalidation arrives while it
//   waits, the answer it gets may predate the change. Each fill takes a Ticket (the invalidation
//   count) before it asks, and Put keeps nothing when an invalidation came in between.
// - A time-to-live bounds what events cannot: an entry older than `ttl` is a miss.
// - Bounded: at most `capacity` entries holding at most `max_bytes` of bodies, least recently
//   used evicted first; a body larger than kMaxBodyBytes is never kept.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace storefront::gateway::cache {

// One read's answer: its JSON body and the strong ETag of that body.
struct CachedRead {
  std::string body;
  std::string etag;
};

// The strong ETag of `body`: a quoted hex BLAKE2b-128 digest, the same in every replica.
std::string ETagOf(const std::string& body);

// True when an If-None-Match header value names `etag` ("*", or a list of entity tags compared
// weakly, as RFC 9110 asks for If-None-Match).
bool NoneMatchHits(const std::string& if_none_match, const std::string& etag);

// Where an entry belongs: a product's own page (dropped by that product's events), or a list
// (dropped by every product event).
struct ReadKey {
  std::string text;        // the read as the catalog is asked it (the route and its parameters)
  std::string product_id;  // lower-case UUID for a product page; empty for a list
};

struct ReadCacheOptions {
  std::size_t capacity = 10000;
  std::size_t max_bytes = 32 << 20;
  std::chrono::seconds ttl{300};
};

class ReadCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Ticket = std::uint64_t;
  static constexpr std::size_t kMaxBodyBytes = 256 * 1024;

  explicit ReadCache(ReadCacheOptions options, std::function<Clock::time_point()> now = &Clock::now);

  // The entry of `key`, counted as a hit, or nullopt counted as a miss.
  std::optional<CachedRead> Get(const std::string& key);
  // Taken before asking the catalog on a miss; given to Put with the answer.
  Ticket Begin() const;
  // Keeps `read` for `key`, unless an invalidation came after `ticket` or the cache is not live.
  void Put(const ReadKey& key, CachedRead read, Ticket ticket);

  // A product was created, changed or deactivated: its page and every list go.
  void InvalidateProduct(const std::string& product_id);
  // Everything goes (an event that could not be read: it may have been about any product).
  void InvalidateAll();
  // Live: the events are reaching the cache. Going live or leaving it drops every entry.
  void SetLive(bool live);

  struct Stats {
    std::int64_t hits = 0;
    std::int64_t misses = 0;
    std::int64_t invalidations = 0;  // InvalidateProduct and InvalidateAll calls
    std::int64_t fills_discarded = 0;  // answers Put did not keep because of an invalidation
    std::size_t entries = 0;
    std::size_t bytes = 0;
    bool live = false;
  };
  Stats stats() const;

 private:
  struct Entry {
    std::string key;
    std::string product_id;
    CachedRead read;
    Clock::time_point stored_at;
  };
  using Entries = std::list<Entry>;

  void EraseLocked(Entries::iterator it);
  void ClearLocked();

  const ReadCacheOptions options_;
  const std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  Entries entries_;  // most recently used first
  std::unordered_map<std::string, Entries::iterator> index_;
  std::size_t bytes_ = 0;
  bool live_ = false;
  Ticket generation_ = 0;  // invalidations and live changes so far
  Stats counts_;           // hits, misses, invalidations, fills_discarded
};

}  // namespace storefront::gateway::cache
