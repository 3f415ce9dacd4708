// The cart service as it runs: App (pool, migrations, gRPC server with health) against a real
// PostgreSQL, pricing from an in-process fake catalog service served by storefront::rpc::Server,
// called through a generated stub.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "app.h"
#include "shared/rpc/client.h"
#include "shared/testing/postgres.h"
#include "testing/fixture.h"
#include "shared/testing/fake_catalog.h"

namespace storefront::cart {
namespace {

using ::storefront::testing::FakeCatalogService;
using ::storefront::testing::MakeProduct;

namespace pb = storefront::cart::v1;
using storefront::testing::SharedPostgres;
using ::testing::HasSubstr;

constexpr const char* kLamp = "a0000000-0000-4000-8000-000000000001";
constexpr const char* kMug = "a0000000-0000-4000-8000-000000000002";
constexpr const char* kRetired = "a0000000-0000-4000-8000-000000000003";
constexpr const char* kEuroBook = "a0000000-0000-4000-8000-000000000004";
constexpr const char* kUnknown = "99999999-9999-4999-8999-999999999999";

class CartGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_.Put(MakeProduct(kLamp, "HOM-LT-0006", "Ceramic Table Lamp", 7999));
    catalog_.Put(MakeProduct(kMug, "HOM-MG-0001", "Stoneware Mug", 1250));
    catalog_.Put(MakeProduct(kRetired, "AUD-EB-0009", "Wired Earbuds", 1999, "USD", /*active=*/false));
    catalog_.Put(MakeProduct(kEuroBook, "BKS-TR-0002", "Trails of the Alps", 2499, "EUR"));
    catalog_server_ = std::make_unique<rpc::Server>(rpc::ServerOptions{.listen_address = "127.0.0.1:0"});
    catalog_server_->AddService(&catalog_);
    int catalog_port = catalog_server_->Start();

    app_ = std::make_unique<App>(Config::FromEnv(config::Env::FromMap({
        {"GRPC_PLAINTEXT", "on"},
        {"DATABASE_URL", SharedPostgres().Dsn("cart")},
        {"GRPC_LISTEN_ADDR", "127.0.0.1:0"},
        {"CATALOG_ADDR", "127.0.0.1:" + std::to_string(catalog_port)},
        {"CATALOG_TIMEOUT_MS", "1000"},
    })));
    int port = app_->Start();
    channel_ = rpc::MakeChannel("127.0.0.1:" + std::to_string(port));
    stub_ = pb::CartService::NewStub(channel_);
  }
  void TearDown() override {
    catalog_.Release();
    app_->Shutdown();
    catalog_server_->Shutdown();
  }

  static std::string Customer() { return testing::CustomerOfThisTest("grpc-"); }
  std::unique_ptr<grpc::ClientContext> Context() { return rpc::NewContext(std::chrono::seconds(10), "test"); }

  grpc::Status Add(const std::string& product_id, int quantity, pb::Cart* cart) {
    pb::AddItemRequest request;
    request.set_customer_id(Customer());
    request.set_product_id(product_id);
    request.set_quantity(quantity);
    return stub_->AddItem(Context().get(), request, cart);
  }
  grpc::Status Update(const std::string& product_id, int quantity, pb::Cart* cart) {
    pb::UpdateItemQuantityRequest request;
    request.set_customer_id(Customer());
    request.set_product_id(product_id);
    request.set_quantity(quantity);
    return stub_->UpdateItemQuantity(Context().get(), request, cart);
  }
  grpc::Status Remove(const std::string& product_id, pb::Cart* cart) {
    pb::RemoveItemRequest request;
    request.set_customer_id(Customer());
    request.set_product_id(product_id);
    return stub_->RemoveItem(Context().get(), request, cart);
  }
  pb::Cart Get() {
    pb::GetCartRequest request;
    request.set_customer_id(Customer());
    pb::Cart cart;
    EXPECT_TRUE(stub_->GetCart(Context().get(), request, &cart).ok());
    return cart;
  }

  FakeCatalogService catalog_;
  std::unique_ptr<rpc::Server> catalog_server_;
  std::unique_ptr<App> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::CartService::Stub> stub_;
};

TEST_F(CartGrpcTest, ServesHealthAndAnEmptyCartToANewShopper) {
  EXPECT_TRUE(rpc::CheckHealth(*channel_, std::chrono::seconds(2)));
  auto cart = Get();
  EXPECT_EQ(cart.customer_id(), Customer());
  EXPECT_EQ(cart.items_size(), 0);
  EXPECT_EQ(cart.item_count(), 0);
  EXPECT_FALSE(cart.has_updated_at());
}

TEST_F(CartGrpcTest, AddIncrementUpdateRemoveAndClear) {
  pb::Cart cart;
  ASSERT_TRUE(Add(kLamp, 1, &cart).ok());
  ASSERT_TRUE(Add(kMug, 2, &cart).ok());
  ASSERT_TRUE(Add(kLamp, 2, &cart).ok());  // adds to the existing line
  ASSERT_EQ(cart.items_size(), 2);
  EXPECT_EQ(cart.items(0).product_id(), kLamp);
  EXPECT_EQ(cart.items(0).sku(), "HOM-LT-0006");
  EXPECT_EQ(cart.items(0).name(), "Ceramic Table Lamp");
  EXPECT_EQ(cart.items(0).quantity(), 3);
  EXPECT_EQ(cart.items(0).unit_price().amount_minor(), 7999);
  EXPECT_EQ(cart.items(0).line_total().amount_minor(), 3 * 7999);
  EXPECT_TRUE(cart.items(0).has_added_at());
  EXPECT_EQ(cart.items(1).product_id(), kMug);
  EXPECT_EQ(cart.items(1).line_total().amount_minor(), 2 * 1250);
  EXPECT_EQ(cart.subtotal().amount_minor(), 3 * 7999 + 2 * 1250);
  EXPECT_EQ(cart.subtotal().currency(), "USD");
  EXPECT_EQ(cart.item_count(), 5);
  EXPECT_TRUE(cart.has_updated_at());

  ASSERT_TRUE(Update(kMug, 7, &cart).ok());
  EXPECT_EQ(cart.items(1).quantity(), 7);
  ASSERT_TRUE(Update(kMug, 7, &cart).ok()) << "an absolute quantity is safe to repeat";
  EXPECT_EQ(cart.item_count(), 10);

  ASSERT_TRUE(Remove(kLamp, &cart).ok());
  ASSERT_EQ(cart.items_size(), 1);
  EXPECT_EQ(cart.items(0).product_id(), kMug);
  ASSERT_TRUE(Remove(kLamp, &cart).ok()) << "removing again succeeds";
  EXPECT_EQ(cart.items_size(), 1);

  pb::ClearCartRequest clear;
  clear.set_customer_id(Customer());
  ASSERT_TRUE(stub_->ClearCart(Context().get(), clear, &cart).ok());
  EXPECT_EQ(cart.items_size(), 0);
  EXPECT_EQ(cart.subtotal().amount_minor(), 0);
  EXPECT_TRUE(cart.has_updated_at());
  EXPECT_EQ(Get().items_size(), 0);
}

TEST_F(CartGrpcTest, QuantitiesAreOneToNinetyNinePerLine) {
  pb::Cart cart;
  for (int bad : {0, -3, 100}) {
    auto status = Add(kLamp, bad, &cart);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_THAT(status.error_message(), HasSubstr("quantity")) << bad;
  }
  ASSERT_TRUE(Add(kLamp, 99, &cart).ok());
  auto over = Add(kLamp, 1, &cart);
  EXPECT_EQ(over.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(over.error_message(), HasSubstr("quantity"));
  EXPECT_EQ(Get().items(0).quantity(), 99) << "a refused add leaves the line unchanged";

  for (int bad : {0, 100}) {
    auto status = Update(kLamp, bad, &cart);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_THAT(status.error_message(), HasSubstr("quantity"));
  }
  ASSERT_TRUE(Update(kLamp, 1, &cart).ok());
  EXPECT_EQ(cart.items(0).quantity(), 1);
  ASSERT_TRUE(Add(kLamp, 98, &cart).ok());
  EXPECT_EQ(cart.items(0).quantity(), 99);
}

TEST_F(CartGrpcTest, UnknownProductsAreNotFoundAndRetiredOnesCannotBeAdded) {
  pb::Cart cart;
  EXPECT_EQ(Add(kUnknown, 1, &cart).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Add(kRetired, 1, &cart).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Update(kMug, 1, &cart).error_code(), grpc::StatusCode::NOT_FOUND) << "not in the cart";
  auto bad = Add("not-a-uuid", 1, &cart);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("product_id"));
  EXPECT_EQ(Get().items_size(), 0);

  // A product retired after it was added can no longer be added to, but stays in the cart.
  ASSERT_TRUE(Add(kLamp, 1, &cart).ok());
  catalog_.SetActive(kLamp, false);
  EXPECT_EQ(Add(kLamp, 1, &cart).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Get().items(0).quantity(), 1);
}

TEST_F(CartGrpcTest, TheCartKeepsThePriceTheShopperSawWhenTheCatalogChangesIt) {
  pb::Cart cart;
  ASSERT_TRUE(Add(kLamp, 1, &cart).ok());
  catalog_.SetPrice(kLamp, 9999);
  ASSERT_TRUE(Add(kLamp, 1, &cart).ok());
  EXPECT_EQ(cart.items(0).quantity(), 2);
  EXPECT_EQ(cart.items(0).unit_price().amount_minor(), 7999);
  EXPECT_EQ(cart.items(0).line_total().amount_minor(), 2 * 7999);
  ASSERT_TRUE(Update(kLamp, 5, &cart).ok());
  EXPECT_EQ(cart.items(0).unit_price().amount_minor(), 7999);
  EXPECT_EQ(Get().subtotal().amount_minor(), 5 * 7999);

  // A line created after the change takes the new price.
  ASSERT_TRUE(Remove(kLamp, &cart).ok());
  ASSERT_TRUE(Add(kLamp, 1, &cart).ok());
  EXPECT_EQ(cart.items(0).unit_price().amount_minor(), 9999);
}

TEST_F(CartGrpcTest, ACartHoldsOneCurrency) {
  pb::Cart cart;
  ASSERT_TRUE(Add(kLamp, 1, &cart).ok());
  auto status = Add(kEuroBook, 1, &cart);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("EUR"));
  EXPECT_EQ(Get().items_size(), 1);
}

TEST_F(CartGrpcTest, WhenTheCatalogIsDownAddItemIsUnavailableAndTheCartStillReads) {
  pb::Cart cart;
  ASSERT_TRUE(Add(kMug, 1, &cart).ok());
  catalog_server_->Shutdown();
  auto status = Add(kLamp, 1, &cart);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  auto read = Get();
  ASSERT_EQ(read.items_size(), 1);
  EXPECT_EQ(read.items(0).product_id(), kMug);
  ASSERT_TRUE(Update(kMug, 4, &cart).ok()) << "changing a quantity needs no catalog";
}

// The cart's catalog client passes a circuit breaker: once most calls fail, AddItem is answered
// UNAVAILABLE at once, without calling the catalog, until the breaker's open period ends.
TEST_F(CartGrpcTest, ACatalogThatKeepsFailingIsNoLongerCalled) {
  catalog_.FailWith({grpc::StatusCode::UNAVAILABLE, "catalog down"});
  pb::Cart cart;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Add(kLamp, 1, &cart).error_code(), grpc::StatusCode::UNAVAILABLE);
  const int calls = catalog_.calls();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Add(kLamp, 1, &cart).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(catalog_.calls(), calls) << "the open breaker answered without calling";
  catalog_.Recover();
}

TEST_F(CartGrpcTest, ACatalogThatDoesNotAnswerInTimeIsUnavailable) {
  catalog_.Hang();  // answers nothing until released: only the 1 s deadline can end the call
  pb::Cart cart;
  auto status = Add(kLamp, 1, &cart);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("in time"));
  catalog_.Release();
  EXPECT_EQ(Get().items_size(), 0);
}

TEST_F(CartGrpcTest, ConcurrentAddItemCallsForOneProductLoseNoUpdate) {
  constexpr int kThreads = 8;
  constexpr int kCallsEach = 5;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kCallsEach; ++i) {
        pb::Cart cart;
        if (!Add(kLamp, 1, &cart).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  auto cart = Get();
  ASSERT_EQ(cart.items_size(), 1);
  EXPECT_EQ(cart.items(0).quantity(), kThreads * kCallsEach);
}

TEST(CartConfigTest, DefaultsAndEveryProblemNamedAtOnce) {
  auto config = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://cart@localhost/storefront"}}));
  EXPECT_EQ(config.grpc_address, "127.0.0.1:50052");
  EXPECT_EQ(config.catalog_address, "127.0.0.1:50051");
  EXPECT_EQ(config.catalog_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(config.db_pool_size, 8);
  try {
    Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"CATALOG_ADDR", "nowhere"}, {"CATALOG_TIMEOUT_MS", "0"}}));
    FAIL() << "expected a configuration error";
  } catch (const config::ConfigError& error) {
    std::string message = error.what();
    EXPECT_THAT(message, HasSubstr("DATABASE_URL is required"));
    EXPECT_THAT(message, HasSubstr("CATALOG_ADDR"));
    EXPECT_THAT(message, HasSubstr("CATALOG_TIMEOUT_MS"));
  }
  EXPECT_EQ(config.kafka_bootstrap_servers, "") << "no Kafka unless configured";
}

TEST(CartConfigTest, KafkaBrokersAreHostPortPairs) {
  auto config = Config::FromEnv(config::Env::FromMap(
      {{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}, {"KAFKA_SECURITY_PROTOCOL", "plaintext"}, {"KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092,kafka:29092"}}));
  EXPECT_EQ(config.kafka_bootstrap_servers, "127.0.0.1:9092,kafka:29092");
  for (const char* bad : {"kafka", "127.0.0.1:9092,", "a:1,b:0"}) {
    try {
      Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"CATALOG_ADDR", "nowhere"}, {"KAFKA_BOOTSTRAP_SERVERS", bad}}));
      ADD_FAILURE() << "accepted " << bad;
    } catch (const config::ConfigError& error) {
      std::string message = error.what();
      EXPECT_THAT(message, HasSubstr("KAFKA_BOOTSTRAP_SERVERS"));
      EXPECT_THAT(message, HasSubstr("CATALOG_ADDR")) << "reported together";
    }
  }
}

}  // namespace
}  // namespace storefront::cart
