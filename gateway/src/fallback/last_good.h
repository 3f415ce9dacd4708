// Fallback for public catalog reads: the last good answer of each read, served (marked stale)
// when the catalog cannot answer.
//
// A shopper browsing while the catalog is down is better served by the product page as it was a
// minute ago than by a 503; nothing is bought from it, because checkout prices every line from
// the catalog itself and fails while it is down. So only the public catalog reads degrade this
// way (product list, product, categories); everything that writes, moves money or shows a
// shopper's or operator's own state (cart, checkout, orders, the operator's routes) fails
// instead, since a stale answer there would mislead a decision.
//
// Bounded: at most `capacity` answers holding at most `max_bytes` of bodies, least recently used
// evicted first, and no answer larger than kMaxBodyBytes is kept (every distinct query is a key,
// so a client asking random ones can only churn the copies, never grow them).
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

namespace storefront::gateway::fallback {

class LastGood {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxBodyBytes = 256 * 1024;

  static constexpr std::size_t kDefaultMaxBytes = 64 * 1024 * 1024;

  explicit LastGood(std::size_t capacity, std::size_t max_bytes = kDefaultMaxBytes,
                    std::function<Clock::time_point()> now = &Clock::now);

  // Keeps `body` as the last good answer to `key` (a route and its query).
  void Put(const std::string& key, std::string body);

  struct Copy {
    std::string body;
    std::chrono::seconds age;  // since it was the catalog's answer
  };
  // The last good answer to `key`, counting it as served stale.
  std::optional<Copy> Serve(const std::string& key);

  std::size_t size() const;
  std::size_t bytes() const;  // of the bodies kept
  std::int64_t served_stale() const;

 private:
  struct Entry {
    std::string key;
    std::string body;
    Clock::time_point stored_at;
  };
  const std::size_t capacity_;
  const std::size_t max_bytes_;
  const std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::size_t bytes_ = 0;
  std::int64_t served_stale_ = 0;
};

}  // namespace storefront::gateway::fallback
