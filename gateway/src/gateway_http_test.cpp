// The gateway over real sockets, in process, against a fake catalog gRPC service:
// HTTP behaviour (keep-alive, problem+json, hostile input, upstream failures, threading)
// without a database. The end-to-end suite covers the real catalog.
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <nlohmann/json.hpp>

#include "server.h"
#include "shared/rpc/server.h"
#include "shared/testing/figures.h"
#include "shared/testing/http_client.h"
#include "shared/testing/process.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::gateway {
namespace {

namespace pb = storefront::catalog::v1;
using storefront::testing::HttpConnection;
using storefront::testing::HttpGet;

constexpr const char* kKnownId = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kDeactivatedId = "5c0ffee0-8d52-4c1e-9a0b-2f1f0c7b9a11";

class FakeCatalog final : public pb::CatalogService::Service {
 public:
  grpc::Status ListProducts(grpc::ServerContext*, const pb::ListProductsRequest* request,
                            pb::ListProductsResponse* response) override {
    last_query_ = request->query();
    {
      std::lock_guard lock(mutex_);
      queries_.push_back(request->query());
    }
    if (request->page_token() == "bad") return {grpc::StatusCode::INVALID_ARGUMENT, "page_token: is not a cursor"};
    auto* p = response->add_products();
    p->set_id(kKnownId);
    p->set_sku("AUD-HP-0001");
    p->set_name("Harbor Headphones");
    p->mutable_price()->set_amount_minor(12999);
    p->mutable_price()->set_currency("USD");
    p->set_active(true);
    response->set_next_page_token("next-token");
    return grpc::Status::OK;
  }

  grpc::Status GetProduct(grpc::ServerContext* context, const pb::GetProductRequest* request,
                          pb::Product* response) override {
    if (request->id() == "slow") {
      // Held until the test releases it (or the caller gives up).
      std::unique_lock lock(mutex_);
      held_ = true;
      held_cv_.notify_all();
      release_cv_.wait(lock, [&] { return released_ || context->IsCancelled(); });
      return {grpc::StatusCode::NOT_FOUND, "late"};
    }
    if (request->id() == kDeactivatedId) {  // the catalog answers every product, the operators' way
      response->set_id(kDeactivatedId);
      response->set_name("Discontinued Dock");
      response->set_active(false);
      return grpc::Status::OK;
    }
    if (request->id() != kKnownId) return {grpc::StatusCode::NOT_FOUND, "no product with id " + request->id()};
    response->set_id(kKnownId);
    response->set_name("Harbor Headphones");
    response->set_active(true);
    return grpc::Status::OK;
  }

  void WaitUntilHeld() {
    std::unique_lock lock(mutex_);
    held_cv_.wait(lock, [&] { return held_; });
  }
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    release_cv_.notify_all();
  }
  std::string last_query() const { return last_query_; }
  std::vector<std::string> queries() {
    std::lock_guard lock(mutex_);
    return queries_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable held_cv_, release_cv_;
  bool held_ = false;
  bool released_ = false;
  std::string last_query_;
  std::vector<std::string> queries_;  // every ListProducts query, in order
};

class GatewayHttpTest : public ::testing::Test {
 protected:
  void StartGateway(const std::string& catalog_address, std::chrono::milliseconds timeout = std::chrono::seconds(2),
                    int threads = 2, const std::function<void(Config&)>& adjust = {}) {
    Config config;
    config.listen_address = "127.0.0.1:0";
    config.catalog_address = catalog_address;
    config.upstream_timeout = timeout;
    config.threads = threads;
    config.log_level = "warn";
    if (adjust) adjust(config);
    gateway_ = std::make_unique<Server>(config);
    port_ = gateway_->Start();
  }

  void StartFakeCatalog() {
    catalog_server_ = std::make_unique<rpc::Server>(rpc::ServerOptions{.listen_address = "127.0.0.1:0",
                                                                       .shutdown_grace = std::chrono::milliseconds(100)});
    catalog_server_->AddService(&fake_);
    catalog_port_ = catalog_server_->Start();
  }

  void TearDown() override {
    fake_.Release();
    if (gateway_) gateway_->Stop();
    if (catalog_server_) catalog_server_->Shutdown();
  }

  std::string CatalogAddress() const { return "127.0.0.1:" + std::to_string(catalog_port_); }

  FakeCatalog fake_;
  std::unique_ptr<rpc::Server> catalog_server_;
  std::unique_ptr<Server> gateway_;
  int catalog_port_ = 0;
  int port_ = 0;
};

// Virtual size, not resident size: an untouched multi-GiB reservation shows only here.
long VirtualKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stol(line.substr(7));
  }
  return -1;
}

TEST_F(GatewayHttpTest, Http11ConnectionsStayOpenWithoutAConnectionHeader) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  HttpConnection connection(port_);
  for (int i = 0; i < 3; ++i) {
    auto response = connection.Request("GET", "/livez");
    ASSERT_TRUE(response) << "request " << i << " got no answer on the same connection";
    EXPECT_EQ(response->status, 200);
    EXPECT_NE(response->Header("connection"), "Close");
  }
  EXPECT_FALSE(connection.ClosedByPeer(std::chrono::milliseconds(200)));
}

TEST_F(GatewayHttpTest, ExplicitCloseAndHttp10AreHonoured) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  HttpConnection closing(port_);
  auto response = closing.Request("GET", "/livez", "", {{"Connection", "close"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("connection"), "Close");

  HttpConnection old(port_);
  ASSERT_TRUE(old.SendRaw("GET /livez HTTP/1.0\r\n\r\n"));
  auto old_response = old.ReadResponse();
  ASSERT_TRUE(old_response);
  EXPECT_EQ(old_response->Header("connection"), "Close");
}

TEST_F(GatewayHttpTest, ListsProductsInTheDocumentedShape) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  auto response = HttpGet(port_, "/api/v1/products?query=wireless%20head+phones&limit=5");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(fake_.last_query(), "wireless head phones");
  auto body = nlohmann::json::parse(response.body);
  ASSERT_EQ(body["items"].size(), 1u);
  EXPECT_EQ(body["items"][0]["price"], (nlohmann::json{{"amount_minor", 12999}, {"currency", "USD"}}));
  EXPECT_EQ(body["items"][0]["sku"], "AUD-HP-0001");
  EXPECT_EQ(body["next_cursor"], "next-token");
  EXPECT_FALSE(response.Header("x-request-id").empty());
}

TEST_F(GatewayHttpTest, ErrorsAreProblemJsonWithTheRightStatus) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  auto missing = HttpGet(port_, "/api/v1/products/00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("content-type"), "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(missing.body)["status"], 404);

  auto bad_limit = HttpGet(port_, "/api/v1/products?limit=1000");
  EXPECT_EQ(bad_limit.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad_limit.body)["errors"][0]["field"], "limit");

  auto bad_cursor = HttpGet(port_, "/api/v1/products?cursor=bad");
  EXPECT_EQ(bad_cursor.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad_cursor.body)["errors"][0]["field"], "cursor");
  EXPECT_EQ(nlohmann::json::parse(bad_cursor.body)["detail"], "cursor: is not a cursor")
      << "the REST names of the protos' paging fields, in the detail too";

  auto bad_escape = HttpGet(port_, "/api/v1/products?query=%zz");
  EXPECT_EQ(bad_escape.status, 400);

  EXPECT_EQ(HttpGet(port_, "/nope").status, 404);

  HttpConnection connection(port_);
  auto wrong_method = connection.Request("POST", "/api/v1/products", "{}", {{"Content-Type", "application/json"}});
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->Header("content-type"), "application/problem+json");
  EXPECT_EQ(wrong_method->Header("allow"), "GET");  // RFC 9110 §15.5.6
}

TEST_F(GatewayHttpTest, ADeactivatedProductIsAnsweredAsIfNoProductHadItsId) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  auto deactivated = HttpGet(port_, std::string("/api/v1/products/") + kDeactivatedId);
  auto unknown = HttpGet(port_, "/api/v1/products/00000000-0000-0000-0000-000000000000");
  ASSERT_EQ(deactivated.status, 404) << deactivated.body;
  EXPECT_EQ(deactivated.Header("content-type"), "application/problem+json");
  auto body = nlohmann::json::parse(deactivated.body), unknown_body = nlohmann::json::parse(unknown.body);
  EXPECT_EQ(body["type"], unknown_body["type"]);
  EXPECT_EQ(body["title"], unknown_body["title"]);
  EXPECT_EQ(body["detail"], std::string("no product with id ") + kDeactivatedId);
  EXPECT_EQ(HttpGet(port_, std::string("/api/v1/products/") + kKnownId).status, 200);
}

// Every answer, whatever route or status, says nosniff; only the catalog's public reads may be
// stored by a cache (they say how), every other answer says no-store.
TEST_F(GatewayHttpTest, EveryAnswerForbidsSniffingAndOnlyPublicReadsMayBeStored) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  HttpConnection connection(port_);
  struct Expected {
    std::string method, path;
    int status;
    std::string cache_control;
  };
  const std::vector<Expected> answers = {
      {"GET", "/api/v1/products?limit=5", 200, "public, no-cache"},
      {"GET", std::string("/api/v1/products/") + kKnownId, 200, "public, no-cache"},
      {"GET", "/api/v1/products/00000000-0000-0000-0000-000000000000", 404, "no-store"},
      {"GET", "/api/v1/products?limit=1000", 400, "no-store"},
      {"POST", "/api/v1/products", 405, "no-store"},
      {"GET", "/nope", 404, "no-store"},
      {"GET", "/livez", 200, "no-store"},
  };
  for (const auto& expected : answers) {
    auto response = connection.Request(expected.method, expected.path, "", {});
    ASSERT_TRUE(response) << expected.path;
    EXPECT_EQ(response->status, expected.status) << expected.method << " " << expected.path;
    EXPECT_EQ(response->Header("x-content-type-options"), "nosniff") << expected.method << " " << expected.path;
    EXPECT_EQ(response->Header("cache-control"), expected.cache_control) << expected.method << " " << expected.path;
  }
}

// Pistache 0.0.5 keeps a connection that has been answered for 300 s, whatever it sends, as long
// as its next request is not complete. The gateway closes it HTTP_KEEPALIVE_TIMEOUT_MS after its
// last request was read: idle, or dribbling the next one.
class KeepAliveTest : public GatewayHttpTest {
 protected:
  // A gateway whose requests have 200 ms budgets, so connections are kept 1.2 s after their last
  // request (the keep-alive timeout is never below the longest budget plus 1 s), and a connection
  // that has been answered once.
  void SetUp() override {
    StartFakeCatalog();
    StartGateway(CatalogAddress(), std::chrono::milliseconds(200), 2, [](Config& config) {
      config.checkout_timeout = std::chrono::milliseconds(200);
      config.keepalive_timeout = std::chrono::milliseconds(100);  // raised to 1.2 s
      config.max_connections = 2;
    });
    connection_ = std::make_unique<HttpConnection>(port_);
    auto first = connection_->Request("GET", "/livez");
    ASSERT_TRUE(first);
    ASSERT_EQ(first->status, 200);
  }
  std::unique_ptr<HttpConnection> connection_;
};

TEST_F(KeepAliveTest, AnIdleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout) {
  // Kept meanwhile, past the 100 ms asked for (Pistache checks every 500 ms): a request 700 ms
  // later is answered on the same connection.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  auto second = connection_->Request("GET", "/livez");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_TRUE(connection_->ClosedByPeer(std::chrono::seconds(4)));
}

// Pistache closes timed-out connections without telling the handler; their places under the cap
// come back all the same (the cap is 2 here).
TEST_F(KeepAliveTest, ConnectionsClosedForIdlingGiveTheirPlacesUnderTheCapBack) {
  HttpConnection other(port_);
  ASSERT_EQ(other.Request("GET", "/livez")->status, 200);
  EXPECT_TRUE(connection_->ClosedByPeer(std::chrono::seconds(4)));
  EXPECT_TRUE(other.ClosedByPeer(std::chrono::seconds(4)));
  for (int i = 0; i < 2; ++i) {
    HttpConnection again(port_);
    auto answer = again.Request("GET", "/livez");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 200) << "place " << i;
  }
}

TEST_F(KeepAliveTest, AClientDribblingItsNextRequestIsCutOffAtTheKeepAliveTimeout) {
  HttpConnection& connection = *connection_;

  // One byte every 100 ms: the whole request would take about 7 s.
  const std::string next = "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(40, 'a') + "\r\n\r\n";
  const auto started = std::chrono::steady_clock::now();
  bool closed = false;
  for (std::size_t i = 0; i < next.size() && !closed; ++i) {
    closed = !connection.SendRaw(next.substr(i, 1)) || connection.ClosedByPeer(std::chrono::milliseconds(100));
  }
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(closed) << "the whole request was sent";
  EXPECT_LT(waited, std::chrono::seconds(3)) << "closed only after "
                                             << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                                             << " ms";
}

// The problem+json answer to a request the gateway refused before handling it, read from
// `connection`, which the gateway then closes.
storefront::testing::HttpResponse ExpectRefusedAndClosed(HttpConnection& connection, int status,
                                                         const std::string& type) {
  auto response = connection.ReadResponse();
  EXPECT_TRUE(response) << "no answer";
  if (!response) return {};
  EXPECT_EQ(response->status, status);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(response->body)["type"], "https://storefront.dev/problems/" + type);
  EXPECT_TRUE(connection.ClosedByPeer());
  return *response;
}

// `count` connections, each answered once, so all are open and counted; fewer when one was not
// served.
std::vector<std::unique_ptr<HttpConnection>> OpenServedConnections(int port, int count) {
  std::vector<std::unique_ptr<HttpConnection>> connections;
  for (int i = 0; i < count; ++i) {
    auto connection = std::make_unique<HttpConnection>(port);
    auto answer = connection->Request("GET", "/livez");
    if (!answer || answer->status != 200) break;
    connections.push_back(std::move(connection));
  }
  return connections;
}

// Whether a new connection is served within 2 s: a place freed by a closed connection comes back
// once the gateway has read its end.
bool ANewConnectionIsServedSoon(int port) {
  for (int attempt = 0; attempt < 40; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    HttpConnection next(port);
    auto answer = next.Request("GET", "/livez");
    if (answer && answer->status == 200) return true;
  }
  return false;
}

// A new connection made while the cap is full, sending a GET of `target` with its connect: it must
// be answered 503 too-many-connections and closed, and counted as refused. Returns the answer.
storefront::testing::HttpResponse RefusedOverTheCap(int port, const std::string& target) {
  const double refused_before = storefront::testing::Figure("http_server_connections_refused_total");
  HttpConnection connection(port);
  EXPECT_TRUE(connection.SendRaw("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  auto refused = ExpectRefusedAndClosed(connection, 503, "too-many-connections");
  EXPECT_EQ(storefront::testing::Figure("http_server_connections_refused_total"), refused_before + 1);
  return refused;
}

TEST_F(GatewayHttpTest, AConnectionOverTheCapIsAnswered503AndClosedAndTheOthersAreServed) {
  StartFakeCatalog();
  StartGateway(CatalogAddress(), std::chrono::seconds(2), 2, [](Config& config) { config.max_connections = 2; });
  auto open = OpenServedConnections(port_, 2);
  ASSERT_EQ(open.size(), 2u);
  auto& first = open[0];
  HttpConnection& second = *open[1];

  // The third sends its request with the connect: it is answered 503 and never handled.
  EXPECT_EQ(RefusedOverTheCap(port_, "/api/v1/products?query=refused").Header("retry-after"), "1");

  EXPECT_EQ(second.Request("GET", "/livez")->status, 200);  // the open ones are served as before
  ASSERT_EQ(second.Request("GET", "/api/v1/products?query=served")->status, 200);
  EXPECT_EQ(fake_.queries(), std::vector<std::string>{"served"}) << "the refused connection's request was handled";
  first.reset();  // one closes: its place is free once the gateway has read its end
  EXPECT_TRUE(ANewConnectionIsServedSoon(port_));
}

// One host opening connections must not take every place under the global cap: past its own share
// it is refused, far under the global cap. A trusted proxy carries many clients on one address and
// is exempt.
class PerAddressCapTest : public GatewayHttpTest {
 protected:
  // A gateway that takes two connections from one address, far under its global cap; with
  // `trust_loopback`, 127.0.0.1 is a trusted proxy.
  void Start(bool trust_loopback) {
    StartFakeCatalog();
    StartGateway(CatalogAddress(), std::chrono::seconds(2), 2, [trust_loopback](Config& config) {
      config.max_connections = 100;
      config.max_connections_per_address = 2;
      std::string error;
      if (trust_loopback) config.trusted_proxies = *http::TrustedProxies::Parse("127.0.0.1", &error);
    });
  }
};

TEST_F(PerAddressCapTest, OneAddressIsRefusedPastItsShareOfConnections) {
  Start(/*trust_loopback=*/false);
  auto open = OpenServedConnections(port_, 2);
  ASSERT_EQ(open.size(), 2u);
  auto& first = open[0];
  HttpConnection& second = *open[1];
  auto refused = RefusedOverTheCap(port_, "/livez");
  EXPECT_NE(nlohmann::json::parse(refused.body)["detail"].get<std::string>().find("your address"), std::string::npos)
      << refused.body;
  EXPECT_EQ(second.Request("GET", "/livez")->status, 200);
  first.reset();  // its place comes back to the address once the gateway has read its end
  EXPECT_TRUE(ANewConnectionIsServedSoon(port_));
}

TEST_F(PerAddressCapTest, ATrustedProxyIsNotHeldToOneAddressesShare) {
  Start(/*trust_loopback=*/true);
  EXPECT_EQ(OpenServedConnections(port_, 4).size(), 4u);
}

// Pistache answers a method it does not know (QUERY) with a text/plain 400; the gateway answers
// 501 problem+json (RFC 9110 §9.1) and closes the connection, as for any request it rejects.
TEST_F(GatewayHttpTest, AnUnknownMethodIs501ProblemJson) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  HttpConnection connection(port_);
  ASSERT_TRUE(connection.SendRaw("QUERY /api/v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"));
  ExpectRefusedAndClosed(connection, 501, "not-implemented");
}

TEST_F(GatewayHttpTest, RequestIdIsPropagatedWhenValid) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  HttpConnection connection(port_);
  auto response = connection.Request("GET", "/livez", "", {{"X-Request-Id", "trace-me-123"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("x-request-id"), "trace-me-123");
  auto hostile = connection.Request("GET", "/livez", "", {{"X-Request-Id", "bad id with spaces"}});
  ASSERT_TRUE(hostile);
  EXPECT_NE(hostile->Header("x-request-id"), "bad id with spaces");
}

TEST_F(GatewayHttpTest, UpstreamDownIs503AndNotReady) {
  StartGateway("127.0.0.1:" + std::to_string(storefront::testing::FreePort()), std::chrono::milliseconds(500));
  auto products = HttpGet(port_, "/api/v1/products");
  EXPECT_EQ(products.status, 503);
  EXPECT_EQ(products.Header("content-type"), "application/problem+json");
  auto ready = HttpGet(port_, "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(nlohmann::json::parse(ready.body)["errors"][0]["field"], "catalog");
  EXPECT_EQ(HttpGet(port_, "/livez").status, 200);
}

TEST_F(GatewayHttpTest, ReadyWhenTheUpstreamServes) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  auto ready = HttpGet(port_, "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(nlohmann::json::parse(ready.body)["checks"]["catalog"], "ok");
}

TEST_F(GatewayHttpTest, UpstreamDeadlineIs504) {
  StartFakeCatalog();
  StartGateway(CatalogAddress(), std::chrono::milliseconds(200));
  auto response = HttpGet(port_, "/api/v1/products/slow");
  EXPECT_EQ(response.status, 504);
  EXPECT_EQ(nlohmann::json::parse(response.body)["type"], "https://storefront.dev/problems/upstream-timeout");
}

TEST_F(GatewayHttpTest, AStuckUpstreamDoesNotStallTheReactor) {
  StartFakeCatalog();
  StartGateway(CatalogAddress(), std::chrono::seconds(30), /*threads=*/1);
  auto slow = std::async(std::launch::async, [&] { return HttpGet(port_, "/api/v1/products/slow"); });
  fake_.WaitUntilHeld();
  // The single reactor thread must still serve other connections while the call is out.
  for (int i = 0; i < 5; ++i) {
    auto response = HttpGet(port_, "/api/v1/products/" + std::string(kKnownId));
    EXPECT_EQ(response.status, 200);
  }
  EXPECT_EQ(slow.wait_for(std::chrono::seconds(0)), std::future_status::timeout) << "upstream call ended early";
  fake_.Release();
  EXPECT_EQ(slow.get().status, 404);
}

TEST_F(GatewayHttpTest, AnnouncedGiantChunkIsRefusedWithoutReservingMemory) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  long before = VirtualKiB();
  // All connections stay open while memory is measured: what the parser holds is still held.
  std::vector<std::unique_ptr<HttpConnection>> connections;
  for (int i = 0; i < 20; ++i) {
    auto& connection = connections.emplace_back(std::make_unique<HttpConnection>(port_));
    ASSERT_TRUE(connection->SendRaw(
        "POST /api/v1/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n7fffffff\r\nAAAA"));
    auto response = connection->ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 411);
    EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  }
  long grown_kib = VirtualKiB() - before;
  EXPECT_LT(grown_kib, 256 * 1024) << "virtual memory grew by " << grown_kib << " KiB";
  for (auto& connection : connections) EXPECT_TRUE(connection->ClosedByPeer());
}

TEST_F(GatewayHttpTest, OversizedBodyIsRefusedFromItsContentLength) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  long before = VirtualKiB();
  std::vector<std::unique_ptr<HttpConnection>> connections;
  for (int i = 0; i < 20; ++i) {
    auto& connection = connections.emplace_back(std::make_unique<HttpConnection>(port_));
    ASSERT_TRUE(connection->SendRaw(
        "POST /api/v1/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 2147483647\r\n\r\n{\"a\":"));
    auto response = connection->ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
  }
  EXPECT_LT(VirtualKiB() - before, 256 * 1024);
  for (auto& connection : connections) EXPECT_TRUE(connection->ClosedByPeer());
}

TEST_F(GatewayHttpTest, OversizedHeadersAndUrisAreRefused) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  {
    HttpConnection connection(port_);
    std::string request = "GET /livez HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 400; ++i) request += "X-Filler-" + std::to_string(i) + ": " + std::string(100, 'v') + "\r\n";
    request += "\r\n";
    connection.SendRaw(request);
    auto response = connection.ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 431);
  }
  {
    HttpConnection connection(port_);
    connection.SendRaw("GET /api/v1/products?query=" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = connection.ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 414);
  }
  // The gateway is still fine afterwards.
  EXPECT_EQ(HttpGet(port_, "/livez").status, 200);
}

TEST_F(GatewayHttpTest, DeeplyNestedOrForeignBodiesAreRefused) {
  StartFakeCatalog();
  StartGateway(CatalogAddress());
  HttpConnection connection(port_);
  auto deep = connection.Request("POST", "/api/v1/products", std::string(50000, '['),
                                 {{"Content-Type", "application/json"}});
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 400);
  EXPECT_NE(nlohmann::json::parse(deep->body)["detail"].get<std::string>().find("nested"), std::string::npos);

  auto form = connection.Request("POST", "/api/v1/products", "a=b", {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);
}

}  // namespace
}  // namespace storefront::gateway
