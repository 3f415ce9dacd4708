// The catalog service as it runs: App (pool, migrations, gRPC server with health,
// in plaintext: GRPC_PLAINTEXT=on) against a real PostgreSQL, called through a generated stub.
#include <gtest/gtest.h>

#include "app.h"
#include "shared/events/topics.h"
#include "shared/rpc/client.h"
#include "shared/testing/postgres.h"
#include "shared/testing/outbox_rows.h"

namespace storefront::catalog {
namespace {

namespace pb = storefront::catalog::v1;
using storefront::testing::SharedPostgres;

class CatalogGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<App>(Config::FromEnv(
        config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", SharedPostgres().Dsn("catalog")}, {"GRPC_LISTEN_ADDR", "127.0.0.1:0"}})));
    int port = app_->Start();
    channel_ = rpc::MakeChannel("127.0.0.1:" + std::to_string(port));
    stub_ = pb::CatalogService::NewStub(channel_);
  }
  void TearDown() override { app_->Shutdown(); }

  std::unique_ptr<grpc::ClientContext> Context() { return rpc::NewContext(std::chrono::seconds(5), "test"); }

  std::unique_ptr<App> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::CatalogService::Stub> stub_;
};

TEST_F(CatalogGrpcTest, ServesHealthAndTheCatalog) {
  EXPECT_TRUE(rpc::CheckHealth(*channel_, std::chrono::seconds(2)));
  pb::ListProductsRequest request;
  request.set_page_size(5);
  pb::ListProductsResponse response;
  ASSERT_TRUE(stub_->ListProducts(Context().get(), request, &response).ok());
  EXPECT_EQ(response.products_size(), 5);
  EXPECT_FALSE(response.next_page_token().empty());

  pb::GetProductRequest get;
  get.set_id(response.products(0).id());
  pb::Product product;
  ASSERT_TRUE(stub_->GetProduct(Context().get(), get, &product).ok());
  EXPECT_EQ(product.sku(), response.products(0).sku());
  EXPECT_EQ(product.price().currency(), "USD");
}

TEST_F(CatalogGrpcTest, OperatorWritesValidateTheirInput) {
  pb::CreateProductRequest create;
  create.set_sku("not valid");
  create.set_name("");
  create.mutable_price()->set_amount_minor(-1);
  create.mutable_price()->set_currency("usd");
  create.set_category_id("audio");
  pb::Product product;
  auto status = stub_->CreateProduct(Context().get(), create, &product);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("sku"), std::string::npos);
  EXPECT_NE(status.error_message().find("price.currency"), std::string::npos);

  create.set_sku("TST-GRPC-0001");
  create.set_name("gRPC Test Mug");
  create.mutable_price()->set_amount_minor(1500);
  create.mutable_price()->set_currency("USD");
  create.set_category_id("home-kitchen");
  ASSERT_TRUE(stub_->CreateProduct(Context().get(), create, &product).ok());
  EXPECT_EQ(stub_->CreateProduct(Context().get(), create, &product).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  pb::UpdateProductRequest update;
  update.set_id(product.id());
  update.mutable_product()->mutable_price()->set_amount_minor(1700);
  update.mutable_product()->mutable_price()->set_currency("USD");
  update.mutable_update_mask()->add_paths("price");
  pb::Product updated;
  ASSERT_TRUE(stub_->UpdateProduct(Context().get(), update, &updated).ok());
  EXPECT_EQ(updated.price().amount_minor(), 1700);
  EXPECT_EQ(updated.name(), "gRPC Test Mug");

  pb::DeactivateProductRequest deactivate;
  deactivate.set_id(product.id());
  pb::Product gone;
  ASSERT_TRUE(stub_->DeactivateProduct(Context().get(), deactivate, &gone).ok());
  EXPECT_FALSE(gone.active());

  // Without KAFKA_BOOTSTRAP_SERVERS nothing is relayed, but every change is in the outbox.
  auto rows = testing::OutboxRows(SharedPostgres().Dsn("catalog"), "catalog", product.id());
  ASSERT_EQ(testing::EventTypes(rows),
            (std::vector<std::string>{std::string(storefront::events::types::kProductCreated),
                                      std::string(storefront::events::types::kProductChanged),
                                      std::string(storefront::events::types::kProductDeactivated)}));
}

TEST_F(CatalogGrpcTest, BadCursorIsInvalidArgument) {
  pb::ListProductsRequest request;
  request.set_page_token("definitely-not-a-cursor");
  pb::ListProductsResponse response;
  EXPECT_EQ(stub_->ListProducts(Context().get(), request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(CatalogAppTest, StartsServesAndStopsWhileTheBrokerIsAway) {
  // With KAFKA_BOOTSTRAP_SERVERS set the App runs the relay; a broker that is not there must
  // neither block start-up nor shutdown (they only retry in the background).
  App app(Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", SharedPostgres().Dsn("catalog")},
                                                {"GRPC_LISTEN_ADDR", "127.0.0.1:0"},
                                                {"KAFKA_SECURITY_PROTOCOL", "plaintext"}, {"KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"}})));
  int port = app.Start();
  EXPECT_TRUE(rpc::CheckHealth(*rpc::MakeChannel("127.0.0.1:" + std::to_string(port)), std::chrono::seconds(2)));
  app.Shutdown();
}

TEST(CatalogConfigTest, MissingDatabaseUrlIsAClearStartupError) {
  try {
    Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DB_POOL_SIZE", "0"}}));
    FAIL() << "expected a configuration error";
  } catch (const config::ConfigError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("DATABASE_URL is required"), std::string::npos);
    EXPECT_NE(message.find("DB_POOL_SIZE must be between 1 and 64"), std::string::npos);
  }
  auto config = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}}));
  EXPECT_EQ(config.kafka_bootstrap_servers, "") << "optional: without it no relay runs";
  EXPECT_EQ(Config::FromEnv(config::Env::FromMap(
                                {{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}, {"KAFKA_SECURITY_PROTOCOL", "plaintext"}, {"KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"}}))
                .kafka_bootstrap_servers,
            "localhost:9092");
  EXPECT_THROW(Config::FromEnv(config::Env::FromMap(
                   {{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}, {"KAFKA_BOOTSTRAP_SERVERS", "no port here"}})),
               config::ConfigError);
}

}  // namespace
}  // namespace storefront::catalog
