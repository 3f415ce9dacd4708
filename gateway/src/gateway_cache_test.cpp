// The gateway's cache of catalog reads (cache/read_cache.h) on real sockets: a fake catalog
// (gRPC on loopback) that counts its calls, and a real Apache Kafka broker carrying the product
// events that invalidate the cache, produced to the topic as the catalog's outbox relay does.
// Also the HTTP side of caching: ETag, Cache-Control and 304 on If-None-Match.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

#include "server.h"
#include "shared/events/topic_log.h"
#include "shared/events/topics.h"
#include "shared/rpc/server.h"
#include "shared/testing/fake_catalog.h"
#include "shared/testing/http_client.h"
#include "shared/testing/kafka_broker.h"
#include "shared/testing/process.h"
#include "shared/types/uuid.h"
#include "storefront/events/v1/envelope.pb.h"

namespace storefront::gateway {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using storefront::testing::HttpConnection;
using storefront::testing::HttpResponse;
using storefront::testing::KafkaBroker;

constexpr const char* kProduct = "2d7e8c1a-5b3f-4e6d-9a2c-7f1b0e4d3c21";
constexpr const char* kOther = "3e8f9d2b-6c40-4f7e-8b3d-801c1f5e4d32";

// What the catalog's relay publishes when a product changes (only the envelope's aggregate id
// matters to the cache).
void PublishProductChanged(const std::string& bootstrap, const std::string& product_id) {
  storefront::events::v1::EventEnvelope envelope;
  envelope.set_event_id(types::NewUuid());
  envelope.set_event_type(std::string(events::types::kProductChanged));
  envelope.set_aggregate_type("product");
  envelope.set_aggregate_id(product_id);
  envelope.set_producer("catalog");
  events::TopicLog log({.bootstrap_servers = bootstrap, .client_id = "gateway-cache-test"});
  log.Produce({.topic = std::string(events::kProductTopic), .key = product_id, .value = envelope.SerializeAsString()});
}

class GatewayCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { broker_ = new KafkaBroker("gateway-cache-kafka"); }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }

  void SetUp() override {
    ASSERT_FALSE(broker_->bootstrap().empty()) << "Apache Kafka did not start:\n" << broker_->Log();
    catalog_.Put(kProduct, "LAMP-1", "Desk lamp", 1000);
    catalog_.Put(kOther, "CHAIR-1", "Chair", 5000);
    catalog_server_ = std::make_unique<rpc::Server>(rpc::ServerOptions{.listen_address = "127.0.0.1:0", .shutdown_grace = 100ms});
    catalog_server_->AddService(&catalog_);
    const int catalog_port = catalog_server_->Start();
    Config config;
    config.listen_address = "127.0.0.1:0";
    config.log_level = "error";
    config.catalog_address = "127.0.0.1:" + std::to_string(catalog_port);
    config.kafka_bootstrap_servers = broker_->bootstrap();
    gateway_ = std::make_unique<Server>(config);
    port_ = gateway_->Start();
  }

  void TearDown() override {
    gateway_->Stop();
    catalog_server_->Shutdown();
  }

  // Until the gateway follows the product topic, nothing is cached.
  void WaitUntilLive() {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!gateway_->read_cache()->stats().live && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    ASSERT_TRUE(gateway_->read_cache()->stats().live) << "the gateway never followed the product topic";
  }

  // Waits until the gateway has applied `count` invalidations in all.
  void WaitForInvalidations(std::int64_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (gateway_->read_cache()->stats().invalidations < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(gateway_->read_cache()->stats().invalidations, count) << "the product event never reached the gateway";
  }

  HttpResponse Get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
    HttpConnection connection(port_);
    auto response = connection.Request("GET", target, "", headers);
    EXPECT_TRUE(response) << "no answer to GET " << target;
    return response.value_or(HttpResponse{});
  }

  static std::int64_t Price(const HttpResponse& response) {
    return json::parse(response.body)["price"]["amount_minor"].get<std::int64_t>();
  }

  static KafkaBroker* broker_;
  storefront::testing::FakeCatalogService catalog_;
  std::unique_ptr<rpc::Server> catalog_server_;
  std::unique_ptr<Server> gateway_;
  int port_ = 0;
};

KafkaBroker* GatewayCacheTest::broker_ = nullptr;

TEST_F(GatewayCacheTest, AProductIsServedFromTheCacheUntilItsEventArrivesThenFresh) {
  WaitUntilLive();
  const std::string path = std::string("/api/v1/products/") + kProduct;
  auto first = Get(path);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(Price(first), 1000);
  EXPECT_EQ(catalog_.calls(), 1);

  // The catalog changes the price; until its event arrives the gateway answers from its cache,
  // without asking the catalog.
  catalog_.SetPrice(kProduct, 1250);
  auto cached = Get(path);
  ASSERT_EQ(cached.status, 200);
  EXPECT_EQ(Price(cached), 1000);
  EXPECT_EQ(cached.Header("etag"), first.Header("etag"));
  EXPECT_EQ(catalog_.calls(), 1);

  PublishProductChanged(broker_->bootstrap(), kProduct);
  WaitForInvalidations(1);
  auto fresh = Get(path);
  ASSERT_EQ(fresh.status, 200);
  EXPECT_EQ(Price(fresh), 1250);
  EXPECT_NE(fresh.Header("etag"), first.Header("etag"));
  EXPECT_EQ(catalog_.calls(), 2);

  const auto stats = gateway_->read_cache()->stats();
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 2);
}

TEST_F(GatewayCacheTest, AnUpperCaseIdSharesTheEntryTheEventDrops) {
  WaitUntilLive();
  std::string upper = kProduct;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_EQ(Price(Get(std::string("/api/v1/products/") + kProduct)), 1000);
  catalog_.SetPrice(kProduct, 990);
  ASSERT_EQ(Price(Get("/api/v1/products/" + upper)), 1000);  // the same entry
  PublishProductChanged(broker_->bootstrap(), kProduct);
  WaitForInvalidations(1);
  EXPECT_EQ(Price(Get("/api/v1/products/" + upper)), 990);
}

TEST_F(GatewayCacheTest, AnyProductsEventDropsListsAndCategoriesButNotOtherProducts) {
  WaitUntilLive();
  auto list = Get("/api/v1/products?limit=10");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(json::parse(list.body)["items"].size(), 2u);
  ASSERT_EQ(Get(std::string("/api/v1/products/") + kOther).status, 200);
  const int calls = catalog_.calls();

  catalog_.SetActive(kProduct, false);
  catalog_.SetPrice(kOther, 4000);
  EXPECT_EQ(json::parse(Get("/api/v1/products?limit=10").body)["items"].size(), 2u);  // cached
  EXPECT_EQ(catalog_.calls(), calls);

  PublishProductChanged(broker_->bootstrap(), kProduct);  // the deactivated one
  WaitForInvalidations(1);
  EXPECT_EQ(json::parse(Get("/api/v1/products?limit=10").body)["items"].size(), 1u);
  EXPECT_EQ(Price(Get(std::string("/api/v1/products/") + kOther)), 5000);  // its own event has not come
}

// A read is cached under what the catalog was asked, not under its URL: a parameter name holding
// "=" and "&" (percent-encoded) cannot make its answer the cached answer of another URL.
TEST_F(GatewayCacheTest, AQueryCannotPlaceItsAnswerUnderAnotherReadsKey) {
  WaitUntilLive();
  auto odd = Get("/api/v1/products?limit%3D1%26x=y");  // one parameter, "limit=1&x": ignored
  ASSERT_EQ(odd.status, 200) << odd.body;
  ASSERT_EQ(json::parse(odd.body)["items"].size(), 2u);
  auto one = Get("/api/v1/products?limit=1&x=y");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json::parse(one.body)["items"].size(), 1u);
  // And a parameter the route does not read does not make a second entry for the same read.
  const int calls = catalog_.calls();
  EXPECT_EQ(json::parse(Get("/api/v1/products?limit=1&utm_source=mail").body)["items"].size(), 1u);
  EXPECT_EQ(catalog_.calls(), calls);
}

TEST_F(GatewayCacheTest, AnswersCarryAnETagAndIfNoneMatchGets304WithoutABody) {
  WaitUntilLive();
  const std::string path = std::string("/api/v1/products/") + kProduct;
  auto first = Get(path);
  ASSERT_EQ(first.status, 200);
  const std::string etag = first.Header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first.Header("cache-control"), "public, no-cache");

  auto not_modified = Get(path, {{"If-None-Match", "\"other\", " + etag}});  // from the cache
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");
  EXPECT_EQ(not_modified.Header("etag"), etag);
  EXPECT_EQ(not_modified.Header("cache-control"), "public, no-cache");

  // An event about the product drops it, though nothing the answer shows changed: the next read
  // asks the catalog, gets the same body, and still answers 304.
  PublishProductChanged(broker_->bootstrap(), kProduct);
  WaitForInvalidations(1);
  const int calls = catalog_.calls();
  auto refilled = Get(path, {{"If-None-Match", etag}});
  EXPECT_EQ(refilled.status, 304);
  EXPECT_EQ(refilled.body, "");
  EXPECT_EQ(catalog_.calls(), calls + 1) << "that read was a miss";

  catalog_.SetPrice(kProduct, 1100);
  PublishProductChanged(broker_->bootstrap(), kProduct);
  WaitForInvalidations(2);
  auto changed = Get(path, {{"If-None-Match", etag}});
  ASSERT_EQ(changed.status, 200);
  EXPECT_EQ(Price(changed), 1100);
  EXPECT_NE(changed.Header("etag"), etag);

  auto list = Get("/api/v1/categories");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Get("/api/v1/categories", {{"If-None-Match", list.Header("etag")}}).status, 304);
}

TEST_F(GatewayCacheTest, TheCacheKeepsFollowingAcrossABrokerRestart) {
  WaitUntilLive();
  const std::string path = std::string("/api/v1/products/") + kProduct;
  ASSERT_EQ(Price(Get(path)), 1000);
  broker_->Kill();
  broker_->Restart();
  // After the broker is back, a product change reaches the gateway: it follows the topic again
  // (carried on at its position, or, if the restarted broker did not know the topic for a while,
  // from the end with its cache emptied). Either way the changed product is served fresh.
  catalog_.SetPrice(kProduct, 1300);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::int64_t price = 0;
  bool followed = false;  // live again, and the change's event arrived
  while (!followed && std::chrono::steady_clock::now() < deadline) {
    if (gateway_->read_cache()->stats().live) {
      const auto before = gateway_->read_cache()->stats().invalidations;
      PublishProductChanged(broker_->bootstrap(), kProduct);
      const auto wait_until = std::chrono::steady_clock::now() + 5s;
      while (gateway_->read_cache()->stats().invalidations == before && std::chrono::steady_clock::now() < wait_until) {
        std::this_thread::sleep_for(20ms);
      }
      followed = gateway_->read_cache()->stats().invalidations > before;
    }
    if (!followed) std::this_thread::sleep_for(100ms);
  }
  // Asked once the event has arrived: whether the cache is live again at the very next moment is
  // up to the follower's checks (it may still be settling after the restart), not what this asks.
  EXPECT_TRUE(followed) << "the cache never followed the topic again";
  price = Price(Get(path));
  EXPECT_EQ(price, 1300);
}

// A broker that stops answering (frozen: connections open, nothing answers) may be holding
// events back: past its silence bound the follower says it is not following (the cache then
// answers nothing), and follows again once the broker answers and every message is read.
TEST_F(GatewayCacheTest, AFollowerStopsFollowingWhileTheBrokerIsSilentAndFollowsAgainAfter) {
  std::atomic<int> changes{0};
  events::TopicFollower follower({.bootstrap_servers = broker_->bootstrap(), .client_id = "gateway-cache-test-follower"},
                                 std::string(events::kProductTopic), [](const events::TopicMessage&) {},
                                 [&](bool) { ++changes; }, 200ms, /*check_interval=*/300ms, /*max_silence=*/1500ms);
  follower.Start();
  auto wait_for = [&](bool following) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (follower.following() != following && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    return follower.following() == following;
  };
  ASSERT_TRUE(wait_for(true));
  broker_->Freeze();
  const bool stopped = wait_for(false);
  broker_->Thaw();
  EXPECT_TRUE(stopped) << "still following a broker that has not answered for 30 s";
  EXPECT_TRUE(wait_for(true)) << "not following again after the broker came back";
  EXPECT_GE(changes.load(), 3);
  follower.Stop();
}

// No broker to follow: every read goes to the catalog, since nothing would tell the gateway
// when a product changes.
TEST(GatewayCacheWithoutEventsTest, NothingIsCachedWhileTheProductTopicCannotBeFollowed) {
  storefront::testing::FakeCatalogService catalog;
  catalog.Put(kProduct, "LAMP-1", "Desk lamp", 1000);
  rpc::Server catalog_server(rpc::ServerOptions{.listen_address = "127.0.0.1:0", .shutdown_grace = 100ms});
  catalog_server.AddService(&catalog);
  const int catalog_port = catalog_server.Start();
  Config config;
  config.listen_address = "127.0.0.1:0";
  config.log_level = "error";
  config.catalog_address = "127.0.0.1:" + std::to_string(catalog_port);
  config.kafka_bootstrap_servers = "127.0.0.1:" + std::to_string(storefront::testing::FreePort());
  Server gateway(config);
  const int port = gateway.Start();
  for (int i = 0; i < 3; ++i) {
    auto response = storefront::testing::HttpGet(port, std::string("/api/v1/products/") + kProduct);
    ASSERT_EQ(response.status, 200);
    EXPECT_FALSE(response.Header("etag").empty());
  }
  EXPECT_EQ(catalog.calls(), 3);
  EXPECT_FALSE(gateway.read_cache()->stats().live);
  EXPECT_EQ(gateway.read_cache()->stats().entries, 0u);
  gateway.Stop();
  catalog_server.Shutdown();
}

}  // namespace
}  // namespace storefront::gateway
