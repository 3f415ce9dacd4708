// The gateway's defences against slow and failing upstreams, on real sockets, in one process:
// fake catalog and checkout services (gRPC on loopback) that fail or hang on demand, and the
// accounts database (SharedPostgres) so the shopper routes exist. Budgets, retries, circuit
// breakers, bulkheads and the stale fallback for catalog reads.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "server.h"
#include "shared/rpc/server.h"
#include "shared/testing/http_client.h"
#include "shared/testing/postgres.h"
#include "shared/testing/process.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"
#include "storefront/checkout/v1/checkout.grpc.pb.h"

namespace storefront::gateway {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using storefront::testing::HttpConnection;
using storefront::testing::HttpResponse;

namespace catalogpb = storefront::catalog::v1;
namespace checkoutpb = storefront::checkout::v1;

constexpr const char* kProduct = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kOtherProduct = "1c7f7b4f-9e63-4d2f-8b1c-3a2a1d8c0b22";
constexpr const char* kOperatorEmail = "ops@resilience-test.example";
constexpr const char* kOperatorPassword = "operator-test-password";

class FakeCatalog final : public catalogpb::CatalogService::Service {
 public:
  std::atomic<bool> failing{false};
  std::atomic<int> fail_next{0};
  std::atomic<int> calls{0};
  std::atomic<long> budget_ms{-1};  // what the last call had left when it arrived

  grpc::Status GetProduct(grpc::ServerContext* context, const catalogpb::GetProductRequest* request,
                          catalogpb::Product* response) override {
    ++calls;
    budget_ms = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(context->deadline() - std::chrono::system_clock::now())
            .count());
    if (failing || (fail_next > 0 && fail_next-- > 0)) return {grpc::StatusCode::UNAVAILABLE, "catalog down"};
    response->set_id(request->id());
    response->set_name("Harbor Headphones " + std::to_string(calls.load()));
    response->mutable_price()->set_amount_minor(12999);
    response->mutable_price()->set_currency("USD");
    response->set_active(true);
    return grpc::Status::OK;
  }

  grpc::Status ListProducts(grpc::ServerContext*, const catalogpb::ListProductsRequest*,
                            catalogpb::ListProductsResponse* response) override {
    ++calls;
    if (failing) return {grpc::StatusCode::UNAVAILABLE, "catalog down"};
    response->add_products()->set_id(kProduct);
    return grpc::Status::OK;
  }
};

// A checkout whose PlaceOrder hangs until released: payments stuck behind it.
class HangingCheckout final : public checkoutpb::CheckoutService::Service {
 public:
  std::atomic<int> in_flight{0};
  std::atomic<int> calls{0};

  grpc::Status PlaceOrder(grpc::ServerContext* context, const checkoutpb::PlaceOrderRequest*,
                          checkoutpb::Order*) override {
    ++calls;
    ++in_flight;
    std::unique_lock lock(mutex_);
    released_cv_.wait(lock, [&] { return released_ || context->IsCancelled(); });
    --in_flight;
    return {grpc::StatusCode::UNAVAILABLE, "payments did not answer"};
  }
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    released_cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

// A gateway with the shopper and operator routes: the catalog at `catalog`, checkout on
// `checkout_port`, every other service nowhere.
Config ShopConfig(const std::string& catalog, int checkout_port) {
  Config config;
  config.listen_address = "127.0.0.1:0";
  config.log_level = "error";
  config.catalog_address = catalog;
  config.checkout_address = "127.0.0.1:" + std::to_string(checkout_port);
  const std::string nowhere = "127.0.0.1:" + std::to_string(storefront::testing::FreePort());
  config.cart_address = config.shipping_address = config.inventory_address = config.payments_address = nowhere;
  config.accounts_database_url = storefront::testing::SharedPostgres().Dsn("accounts");
  config.jwt_signing_key = "gateway-resilience-test-signing-key-0123456789";
  config.operator_email = kOperatorEmail;
  config.operator_password = kOperatorPassword;
  return config;
}

class GatewayResilienceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_server_ = std::make_unique<rpc::Server>(rpc::ServerOptions{.listen_address = "127.0.0.1:0", .shutdown_grace = 100ms});
    catalog_server_->AddService(&catalog_);
    int catalog_port = catalog_server_->Start();
    checkout_server_ = std::make_unique<rpc::Server>(rpc::ServerOptions{.listen_address = "127.0.0.1:0", .shutdown_grace = 100ms});
    checkout_server_->AddService(&checkout_);
    int checkout_port = checkout_server_->Start();

    Config config = ShopConfig("127.0.0.1:" + std::to_string(catalog_port), checkout_port);
    config.upstream_timeout = 2s;
    config.checkout_timeout = 9s;
    config.guard.breaker = {.failure_ratio = 0.5, .minimum_calls = 4, .window = 10s, .open_for = 700ms, .max_open_for = 5s};
    config.guard.max_in_flight = 4;
    gateway_ = std::make_unique<Server>(config);
    port_ = gateway_->Start();
  }

  void TearDown() override {
    checkout_.Release();
    gateway_->Stop();
    checkout_server_->Shutdown();
    catalog_server_->Shutdown();
  }

  HttpResponse Request(const std::string& method, const std::string& path, const std::string& body = "",
                       const std::string& token = "", const std::map<std::string, std::string>& extra = {}) {
    HttpConnection connection(port_, 30s);
    std::map<std::string, std::string> headers = extra;
    if (!body.empty()) headers["Content-Type"] = "application/json";
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    auto response = connection.Request(method, path, body, headers);
    EXPECT_TRUE(response) << "no answer to " << method << " " << path;
    return response.value_or(HttpResponse{});
  }

  std::string SignIn(const std::string& email, const std::string& password) {
    auto response = Request("POST", "/api/v1/auth/login", json{{"email", email}, {"password", password}}.dump());
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body).value("access_token", "");
  }

  std::string NewShopper() {
    static std::atomic<int> counter{0};
    std::string email = "shopper." + std::to_string(++counter) + "." + std::to_string(port_) + "@resilience-test.example";
    auto registered =
        Request("POST", "/api/v1/auth/register", json{{"email", email}, {"password", "correct horse"}, {"name", "Ada"}}.dump());
    EXPECT_EQ(registered.status, 201) << registered.body;
    return SignIn(email, "correct horse");
  }

  std::string ProductPath(const char* id) { return std::string("/api/v1/products/") + id; }

  FakeCatalog catalog_;
  HangingCheckout checkout_;
  std::unique_ptr<rpc::Server> catalog_server_, checkout_server_;
  std::unique_ptr<Server> gateway_;
  int port_ = 0;
};

const json kCheckoutBody = {
    {"shipping_address",
     {{"name", "Ada"}, {"line1", "1 Main St"}, {"city", "Springfield"}, {"postal_code", "12345"}, {"country", "US"}}},
    {"shipping_option_id", "standard"},
    {"payment", {{"card_number", "4242424242424242"}, {"exp_month", 12}, {"exp_year", 2030}, {"cvc", "123"}}}};

TEST_F(GatewayResilienceTest, TheBudgetOfARequestReachesTheUpstreamAsItsDeadline) {
  ASSERT_EQ(Request("GET", ProductPath(kProduct)).status, 200);
  EXPECT_GT(catalog_.budget_ms, 0);
  EXPECT_LE(catalog_.budget_ms, 2020) << "the catalog call carries the request's 2 s budget";
}

TEST_F(GatewayResilienceTest, ATransientCatalogFailureIsRetriedAway) {
  catalog_.fail_next = 1;
  auto response = Request("GET", ProductPath(kProduct));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(catalog_.calls, 2);
}

TEST_F(GatewayResilienceTest, CatalogReadsKeepAnsweringWhileCheckoutHangsAndTheExcessIsRefusedAtOnce) {
  std::string token = NewShopper();
  std::vector<std::future<HttpResponse>> checkouts;
  for (int i = 0; i < 8; ++i) {
    checkouts.push_back(std::async(std::launch::async, [&, i] {
      return Request("POST", "/api/v1/checkout", kCheckoutBody.dump(), token, {{"Idempotency-Key", "hang-" + std::to_string(i)}});
    }));
  }
  // Four hang in checkout (the bulkhead's limit); the other four are refused without a call.
  std::vector<bool> answered(checkouts.size(), false);
  int refused = 0;
  for (auto until = std::chrono::steady_clock::now() + 5s; refused < 4 && std::chrono::steady_clock::now() < until;) {
    for (std::size_t i = 0; i < checkouts.size(); ++i) {
      if (answered[i] || checkouts[i].wait_for(10ms) != std::future_status::ready) continue;
      answered[i] = true;
      auto response = checkouts[i].get();
      EXPECT_EQ(response.status, 503) << response.body;
      EXPECT_EQ(json::parse(response.body).value("type", ""), "https://storefront.dev/problems/upstream-busy");
      EXPECT_EQ(response.Header("retry-after"), "1");
      ++refused;
    }
  }
  EXPECT_EQ(refused, 4) << "answered within 5 s, long before the 9 s checkout deadline";
  EXPECT_EQ(checkout_.in_flight, 4);
  EXPECT_EQ(checkout_.calls, 4);

  for (int i = 0; i < 20; ++i) {
    auto read = Request("GET", ProductPath(kProduct));
    EXPECT_EQ(read.status, 200) << "catalog read " << i << " while checkout hangs: " << read.body;
  }
  EXPECT_EQ(checkout_.in_flight, 4) << "the hung calls were still holding their slots";
  checkout_.Release();
  for (std::size_t i = 0; i < checkouts.size(); ++i) {
    if (!answered[i]) EXPECT_EQ(checkouts[i].get().status, 503) << "the hung checkout's own failure, once released";
  }
}

// Pistache answers 408 to a request unanswered after its header timeout; the gateway keeps that
// timeout above its budgets, so a slow checkout ends with the gateway's own answer.
TEST(GatewayTimeoutTest, ASlowRequestIsAnsweredByItsBudgetNotByPistachesHeaderTimeout) {
  HangingCheckout checkout;
  rpc::Server checkout_server({.listen_address = "127.0.0.1:0", .shutdown_grace = 100ms});
  checkout_server.AddService(&checkout);
  int checkout_port = checkout_server.Start();
  const std::string nowhere = "127.0.0.1:" + std::to_string(storefront::testing::FreePort());
  Config config = ShopConfig(nowhere, checkout_port);
  config.header_timeout = 1s;
  config.checkout_timeout = 2500ms;
  Server gateway(config);
  int port = gateway.Start();

  HttpConnection login(port, 30s);
  auto signed_in = login.Request("POST", "/api/v1/auth/login",
                                 json{{"email", kOperatorEmail}, {"password", kOperatorPassword}}.dump(),
                                 {{"Content-Type", "application/json"}});
  ASSERT_TRUE(signed_in);
  std::string token = json::parse(signed_in->body).value("access_token", "");
  HttpConnection connection(port, 30s);
  auto response = connection.Request("POST", "/api/v1/checkout", kCheckoutBody.dump(),
                                     {{"Content-Type", "application/json"},
                                      {"Authorization", "Bearer " + token},
                                      {"Idempotency-Key", "slow-1"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 504) << response->body;
  checkout.Release();
  gateway.Stop();
  checkout_server.Shutdown();
}

TEST_F(GatewayResilienceTest, TheCatalogBreakerOpensAnswersAtOnceThenProbesAndCloses) {
  catalog_.failing = true;
  for (int i = 0; i < 4; ++i) {
    auto failed = Request("GET", ProductPath(kOtherProduct));
    EXPECT_EQ(failed.status, 503);
    EXPECT_EQ(json::parse(failed.body).value("type", ""), "https://storefront.dev/problems/upstream-unavailable");
  }
  int calls_before = catalog_.calls;
  auto refused = Request("GET", ProductPath(kOtherProduct));
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(json::parse(refused.body).value("type", ""), "https://storefront.dev/problems/upstream-circuit-open");
  EXPECT_EQ(refused.Header("retry-after"), "1");
  EXPECT_EQ(catalog_.calls, calls_before) << "an open breaker does not call the catalog";

  std::string operator_token = SignIn(kOperatorEmail, kOperatorPassword);
  auto health = json::parse(Request("GET", "/api/v1/admin/system/health", "", operator_token).body);
  std::string catalog_breaker, catalog_status;
  for (const auto& component : health["components"]) {
    if (component["name"] != "catalog") continue;
    catalog_breaker = component.value("breaker", "");
    catalog_status = component.value("status", "");
  }
  EXPECT_EQ(catalog_breaker, "open");
  EXPECT_EQ(catalog_status, "ok") << "the health probe passes no breaker: it sees the catalog as it is";

  catalog_.failing = false;
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(Request("GET", ProductPath(kOtherProduct)).status, 200) << "the probe after the open period";
  EXPECT_EQ(Request("GET", ProductPath(kOtherProduct)).status, 200);
  health = json::parse(Request("GET", "/api/v1/admin/system/health", "", operator_token).body);
  for (const auto& component : health["components"]) {
    if (component["name"] == "catalog") EXPECT_EQ(component.value("breaker", ""), "closed");
  }
}

TEST_F(GatewayResilienceTest, WhileTheCatalogFailsItsLastGoodAnswersAreServedMarkedStale) {
  auto fresh = Request("GET", ProductPath(kProduct));
  ASSERT_EQ(fresh.status, 200);
  EXPECT_EQ(fresh.Header("storefront-stale"), "");
  auto fresh_list = Request("GET", "/api/v1/products?limit=5");
  ASSERT_EQ(fresh_list.status, 200);

  catalog_.failing = true;
  auto stale = Request("GET", ProductPath(kProduct));
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.Header("storefront-stale"), "true");
  EXPECT_FALSE(stale.Header("age").empty());
  EXPECT_EQ(stale.body, fresh.body) << "the copy the catalog gave last";
  auto stale_list = Request("GET", "/api/v1/products?limit=5");
  EXPECT_EQ(stale_list.status, 200);
  EXPECT_EQ(stale_list.Header("storefront-stale"), "true");
  EXPECT_EQ(stale_list.body, fresh_list.body);

  EXPECT_EQ(Request("GET", ProductPath(kOtherProduct)).status, 503) << "never read before: nothing to fall back on";
  EXPECT_EQ(Request("GET", "/api/v1/products?limit=6").status, 503) << "another query is another read";
}

}  // namespace
}  // namespace storefront::gateway
