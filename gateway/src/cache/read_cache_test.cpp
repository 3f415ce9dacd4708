#include "cache/read_cache.h"

#include <gtest/gtest.h>

#include "cache/product_events.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::gateway::cache {
namespace {

using namespace std::chrono_literals;

constexpr const char* kA = "6f9619ff-8b86-4d01-b42d-00c04fc964ff";
constexpr const char* kB = "0b6a4b7e-3c0f-4a52-9a43-3c1fd5bb0a11";

ReadKey Page(const std::string& id) { return {"/api/v1/products/" + id, id}; }
ReadKey List(const std::string& text) { return {text, ""}; }
CachedRead Body(const std::string& body) { return {body, ETagOf(body)}; }

// A live cache on a clock the test moves.
struct LiveCache {
  explicit LiveCache(ReadCacheOptions options = {}) : cache(options, [this] { return now; }) { cache.SetLive(true); }
  void Put(const ReadKey& key, const std::string& body) { cache.Put(key, Body(body), cache.Begin()); }
  std::optional<std::string> Get(const std::string& key) {
    auto read = cache.Get(key);
    return read ? std::optional<std::string>(read->body) : std::nullopt;
  }
  ReadCache::Clock::time_point now{100h};
  ReadCache cache;
};

TEST(ETagTest, IsAQuotedDigestOfTheBodyThatChangesWithIt) {
  EXPECT_EQ(ETagOf(R"({"price":100})"), ETagOf(R"({"price":100})"));
  EXPECT_NE(ETagOf(R"({"price":100})"), ETagOf(R"({"price":101})"));
  const std::string etag = ETagOf("x");
  ASSERT_EQ(etag.size(), 34u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
}

TEST(ETagTest, IfNoneMatchHitsTheSameTagInAListWeakOrStarAndNothingElse) {
  const std::string etag = ETagOf("x");
  EXPECT_TRUE(NoneMatchHits(etag, etag));
  EXPECT_TRUE(NoneMatchHits("\"other\", " + etag, etag));
  EXPECT_TRUE(NoneMatchHits("W/" + etag, etag));
  EXPECT_TRUE(NoneMatchHits("*", etag));
  EXPECT_FALSE(NoneMatchHits("\"other\"", etag));
  EXPECT_FALSE(NoneMatchHits(etag.substr(1, 32), etag));  // unquoted is another tag
  EXPECT_FALSE(NoneMatchHits(",,", etag));
}

TEST(ReadCacheTest, AnswersWhatWasPutAndCountsHitsAndMisses) {
  LiveCache live;
  EXPECT_EQ(live.Get(Page(kA).text), std::nullopt);
  live.Put(Page(kA), R"({"v":1})");
  auto read = live.cache.Get(Page(kA).text);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->body, R"({"v":1})");
  EXPECT_EQ(read->etag, ETagOf(R"({"v":1})"));
  auto stats = live.cache.stats();
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.bytes, 7u);
}

TEST(ReadCacheTest, AProductEventDropsThatProductsPageAndEveryListButNotOtherPages) {
  LiveCache live;
  live.Put(Page(kA), "a");
  live.Put(Page(kB), "b");
  live.Put(List("/api/v1/products?limit=20"), "list");
  live.Put(List("/api/v1/categories"), "categories");
  live.cache.InvalidateProduct(kA);
  EXPECT_EQ(live.Get(Page(kA).text), std::nullopt);
  EXPECT_EQ(live.Get("/api/v1/products?limit=20"), std::nullopt);
  EXPECT_EQ(live.Get("/api/v1/categories"), std::nullopt);
  EXPECT_EQ(live.Get(Page(kB).text), "b");
  EXPECT_EQ(live.cache.stats().invalidations, 1);
}

TEST(ReadCacheTest, AnAnswerAskedForBeforeAnInvalidationIsNotKept) {
  LiveCache live;
  auto ticket = live.cache.Begin();      // a miss asks the catalog...
  live.cache.InvalidateProduct(kA);      // ...the product changes meanwhile...
  live.cache.Put(Page(kA), Body("old"), ticket);  // ...and the answer may be the old one
  EXPECT_EQ(live.Get(Page(kA).text), std::nullopt);
  EXPECT_EQ(live.cache.stats().fills_discarded, 1);
  live.Put(Page(kA), "new");  // a fill that began after the change is kept
  EXPECT_EQ(live.Get(Page(kA).text), "new");
}

TEST(ReadCacheTest, KeepsNothingAndAnswersNothingWhileNotLive) {
  ReadCache cache(ReadCacheOptions{});
  cache.Put(Page(kA), Body("a"), cache.Begin());
  EXPECT_FALSE(cache.Get(Page(kA).text));
  cache.SetLive(true);
  cache.Put(Page(kA), Body("a"), cache.Begin());
  ASSERT_TRUE(cache.Get(Page(kA).text));
  auto ticket = cache.Begin();
  cache.SetLive(false);  // the events stopped reaching the cache: what it held may go stale
  EXPECT_FALSE(cache.Get(Page(kA).text));
  cache.SetLive(true);
  cache.Put(Page(kA), Body("a"), ticket);  // asked before the gap
  EXPECT_FALSE(cache.Get(Page(kA).text));
  EXPECT_TRUE(cache.stats().live);
}

TEST(ReadCacheTest, AnEntryOlderThanItsTimeToLiveIsAMiss) {
  LiveCache live(ReadCacheOptions{.capacity = 10, .max_bytes = 1000, .ttl = 60s});
  live.Put(Page(kA), "a");
  live.now += 60s;
  EXPECT_EQ(live.Get(Page(kA).text), "a");
  live.now += 1s;
  EXPECT_EQ(live.Get(Page(kA).text), std::nullopt);
  EXPECT_EQ(live.cache.stats().entries, 0u);
}

TEST(ReadCacheTest, KeepsAtMostItsCapacityAndBytesEvictingTheLeastRecentlyUsed) {
  LiveCache live(ReadCacheOptions{.capacity = 2, .max_bytes = 10, .ttl = 60s});
  live.Put(List("a"), "1234");
  live.Put(List("b"), "1234");
  ASSERT_TRUE(live.Get("a"));  // a is now the most recently used
  live.Put(List("c"), "12");
  EXPECT_TRUE(live.Get("a"));
  EXPECT_FALSE(live.Get("b"));
  EXPECT_TRUE(live.Get("c"));
  live.Put(List("d"), "123456789");  // 9 bytes: only it fits
  EXPECT_FALSE(live.Get("a"));
  EXPECT_FALSE(live.Get("c"));
  EXPECT_EQ(live.cache.stats().bytes, 9u);
  live.Put(List("e"), std::string(11, 'x'));  // larger than the whole cache: not kept
  EXPECT_FALSE(live.Get("e"));
  EXPECT_TRUE(live.Get("d"));
}

events::TopicMessage EventAbout(const std::string& aggregate_id) {
  storefront::events::v1::EventEnvelope envelope;
  envelope.set_event_type("storefront.catalog.product.changed.v1");
  envelope.set_aggregate_id(aggregate_id);
  events::TopicMessage message;
  message.topic = "storefront.catalog.product.v1";
  message.value = envelope.SerializeAsString();
  return message;
}

TEST(ProductEventsTest, AnEventDropsTheProductItNamesInEitherCase) {
  LiveCache live;
  live.Put(Page(kA), "a");
  live.Put(Page(kB), "b");
  std::string upper = kA;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ApplyProductEvent(live.cache, EventAbout(upper));
  EXPECT_FALSE(live.Get(Page(kA).text));
  EXPECT_TRUE(live.Get(Page(kB).text));
}

TEST(ProductEventsTest, AMessageThatNamesNoProductDropsEverything) {
  LiveCache live;
  live.Put(Page(kA), "a");
  ApplyProductEvent(live.cache, EventAbout("not-a-uuid"));
  EXPECT_FALSE(live.Get(Page(kA).text));
  live.Put(Page(kA), "a");
  events::TopicMessage garbage;
  garbage.value = "\xff\xff not a protobuf";
  ApplyProductEvent(live.cache, garbage);
  EXPECT_FALSE(live.Get(Page(kA).text));
}

}  // namespace
}  // namespace storefront::gateway::cache
