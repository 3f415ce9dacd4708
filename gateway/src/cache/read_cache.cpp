#include "cache/read_cache.h"


#include "shared/metrics/metrics.h"
#include "shared/types/digest.h"

namespace storefront::gateway::cache {
namespace {

// gateway_read_cache_*: the hit ratio is hits / (hits + misses) (docs/observability.md).
struct Figures {
  prometheus::Family<prometheus::Counter>& lookups =
      metrics::Counters("gateway_read_cache_lookups_total", "Catalog reads looked up in the gateway's cache, by result (hit, miss).");
  prometheus::Counter& hits = lookups.Add({{"result", "hit"}});
  prometheus::Counter& misses = lookups.Add({{"result", "miss"}});
  prometheus::Counter& invalidations = metrics::Counters(
      "gateway_read_cache_invalidations_total", "Product events (and operator changes) that dropped cached reads.").Add({});
  prometheus::Gauge& entries =
      metrics::Gauges("gateway_read_cache_entries", "Catalog reads held in the gateway's cache.").Add({});
  prometheus::Gauge& bytes =
      metrics::Gauges("gateway_read_cache_bytes", "Bytes of the bodies held in the gateway's cache.").Add({});
  prometheus::Gauge& live = metrics::Gauges(
      "gateway_read_cache_live", "1 while the product events reach the gateway's cache (it answers), else 0.").Add({});
};

Figures& Figure() {
  static Figures figures;
  return figures;
}

std::string Trim(const std::string& text, std::size_t begin, std::size_t end) {
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(begin, end - begin);
}

}  // namespace

std::string ETagOf(const std::string& body) {
  return "\"" + types::Blake2bHex(body, 16) + "\"";
}

bool NoneMatchHits(const std::string& if_none_match, const std::string& etag) {
  std::size_t begin = 0;
  while (begin <= if_none_match.size()) {
    std::size_t end = if_none_match.find(',', begin);
    if (end == std::string::npos) end = if_none_match.size();
    std::string tag = Trim(if_none_match, begin, end);
    if (tag == "*") return true;
    if (tag.rfind("W/", 0) == 0) tag.erase(0, 2);  // weak comparison: the W/ prefix does not count
    if (!tag.empty() && tag == etag) return true;
    begin = end + 1;
  }
  return false;
}

ReadCache::ReadCache(ReadCacheOptions options, std::function<Clock::time_point()> now)
    : options_(options), now_(std::move(now)) {
  Figure().live.Set(0);
}

std::optional<CachedRead> ReadCache::Get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it != index_.end() && now_() - it->second->stored_at > options_.ttl) {
    EraseLocked(it->second);
    it = index_.end();
  }
  if (it == index_.end()) {
    ++counts_.misses;
    Figure().misses.Increment();
    return std::nullopt;
  }
  entries_.splice(entries_.begin(), entries_, it->second);
  ++counts_.hits;
  Figure().hits.Increment();
  return it->second->read;
}

ReadCache::Ticket ReadCache::Begin() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void ReadCache::Put(const ReadKey& key, CachedRead read, Ticket ticket) {
  if (options_.capacity == 0 || read.body.size() > kMaxBodyBytes || read.body.size() > options_.max_bytes) return;
  std::lock_guard lock(mutex_);
  if (!live_) return;
  if (ticket != generation_) {
    ++counts_.fills_discarded;
    return;
  }
  if (auto it = index_.find(key.text); it != index_.end()) EraseLocked(it->second);
  bytes_ += read.body.size();
  entries_.push_front({key.text, key.product_id, std::move(read), now_()});
  index_[key.text] = entries_.begin();
  while (entries_.size() > options_.capacity || bytes_ > options_.max_bytes) EraseLocked(std::prev(entries_.end()));
  Figure().entries.Set(static_cast<double>(entries_.size()));
  Figure().bytes.Set(static_cast<double>(bytes_));
}

void ReadCache::InvalidateProduct(const std::string& product_id) {
  std::lock_guard lock(mutex_);
  ++generation_;
  ++counts_.invalidations;
  Figure().invalidations.Increment();
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->product_id.empty() || it->product_id == product_id) EraseLocked(it);
    it = next;
  }
  Figure().entries.Set(static_cast<double>(entries_.size()));
  Figure().bytes.Set(static_cast<double>(bytes_));
}

void ReadCache::InvalidateAll() {
  std::lock_guard lock(mutex_);
  ++generation_;
  ++counts_.invalidations;
  Figure().invalidations.Increment();
  ClearLocked();
}

void ReadCache::SetLive(bool live) {
  std::lock_guard lock(mutex_);
  live_ = live;
  ++generation_;  // a fill that began before the change must not land after it
  ClearLocked();
  Figure().live.Set(live ? 1 : 0);
}

ReadCache::Stats ReadCache::stats() const {
  std::lock_guard lock(mutex_);
  Stats stats = counts_;
  stats.entries = entries_.size();
  stats.bytes = bytes_;
  stats.live = live_;
  return stats;
}

void ReadCache::EraseLocked(Entries::iterator it) {
  bytes_ -= it->read.body.size();
  index_.erase(it->key);
  entries_.erase(it);
}

void ReadCache::ClearLocked() {
  entries_.clear();
  index_.clear();
  bytes_ = 0;
  Figure().entries.Set(0);
  Figure().bytes.Set(0);
}

}  // namespace storefront::gateway::cache
