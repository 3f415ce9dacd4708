// The gRPC transport over an in-process server with a mocked repository and catalog: wire
// mapping and status codes, without a database or a catalog service.
#include "api/cart_api.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "domain/mocks.h"
#include "shared/errors/errors.h"

namespace storefront::cart::api {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Return;
using ::testing::Throw;

constexpr const char* kId = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kOther = "11111111-2222-4333-8444-555555555555";

class CartApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&api_);
    server_ = builder.BuildAndStart();
    stub_ = pb::CartService::NewStub(server_->InProcessChannel({}));
  }
  void TearDown() override { server_->Shutdown(); }

  domain::MockCartRepository repo_;
  domain::MockProductCatalog catalog_;
  domain::Carts carts_{repo_, catalog_};
  CartApi api_{carts_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::CartService::Stub> stub_;
};

domain::Cart TwoLines() {
  domain::Cart cart{"alice", {}, domain::Timestamp(std::chrono::seconds(1700000100))};
  auto at = [](int seconds) { return domain::Timestamp(std::chrono::seconds(seconds)); };
  domain::CartItem lamp{kId, "HOM-LP-0001", "Desk Lamp", 3, {1299, "USD"}, at(1700000000)};
  domain::CartItem mug{kOther, "HOM-MG-0002", "Mug", 1, {500, "USD"}, at(1700000050)};
  cart.items = {lamp, mug};
  return cart;
}

TEST_F(CartApiTest, GetCartMapsLinesTotalsAndTimes) {
  EXPECT_CALL(repo_, Get("alice")).WillOnce(Return(TwoLines()));
  grpc::ClientContext context;
  pb::GetCartRequest request;
  request.set_customer_id("alice");
  pb::Cart cart;
  ASSERT_TRUE(stub_->GetCart(&context, request, &cart).ok());
  EXPECT_EQ(cart.customer_id(), "alice");
  ASSERT_EQ(cart.items_size(), 2);
  EXPECT_EQ(cart.items(0).product_id(), kId);
  EXPECT_EQ(cart.items(0).sku(), "HOM-LP-0001");
  EXPECT_EQ(cart.items(0).name(), "Desk Lamp");
  EXPECT_EQ(cart.items(0).quantity(), 3);
  EXPECT_EQ(cart.items(0).unit_price().amount_minor(), 1299);
  EXPECT_EQ(cart.items(0).unit_price().currency(), "USD");
  EXPECT_EQ(cart.items(0).line_total().amount_minor(), 3897);
  EXPECT_EQ(cart.items(0).line_total().currency(), "USD");
  EXPECT_EQ(cart.items(0).added_at().seconds(), 1700000000);
  EXPECT_EQ(cart.items(1).product_id(), kOther);
  EXPECT_EQ(cart.subtotal().amount_minor(), 4397);
  EXPECT_EQ(cart.subtotal().currency(), "USD");
  EXPECT_EQ(cart.item_count(), 4);
  ASSERT_TRUE(cart.has_updated_at());
  EXPECT_EQ(cart.updated_at().seconds(), 1700000100);
}

TEST_F(CartApiTest, ACartNeverWrittenIsEmptyWithoutUpdatedAt) {
  EXPECT_CALL(repo_, Get("bob")).WillOnce(Return(domain::Cart{"bob", {}, std::nullopt}));
  grpc::ClientContext context;
  pb::GetCartRequest request;
  request.set_customer_id("bob");
  pb::Cart cart;
  ASSERT_TRUE(stub_->GetCart(&context, request, &cart).ok());
  EXPECT_EQ(cart.items_size(), 0);
  EXPECT_EQ(cart.item_count(), 0);
  EXPECT_EQ(cart.subtotal().amount_minor(), 0);
  EXPECT_FALSE(cart.has_updated_at());
}

TEST_F(CartApiTest, AddItemForwardsTheRequestIdToTheCatalog) {
  EXPECT_CALL(catalog_, Find(kId, "trace-me-123"))
      .WillOnce(Return(domain::CatalogProduct{kId, "HOM-LP-0001", "Desk Lamp", {1299, "USD"}, true}));
  EXPECT_CALL(repo_, AddItem("alice", _, 3))
      .WillOnce(Return(domain::AddOutcome{domain::AddResult::kAdded, TwoLines()}));
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "trace-me-123");
  pb::AddItemRequest request;
  request.set_customer_id("alice");
  request.set_product_id(kId);
  request.set_quantity(3);
  pb::Cart cart;
  ASSERT_TRUE(stub_->AddItem(&context, request, &cart).ok());
  EXPECT_EQ(cart.items_size(), 2);
}

TEST_F(CartApiTest, DomainErrorsBecomeStatusCodes) {
  {
    grpc::ClientContext context;
    pb::AddItemRequest request;
    request.set_customer_id("alice");
    request.set_product_id(kId);
    request.set_quantity(100);
    pb::Cart cart;
    auto status = stub_->AddItem(&context, request, &cart);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("quantity"));
  }
  {
    EXPECT_CALL(catalog_, Find(kId, _)).WillOnce(Throw(Unavailable("the catalog is unavailable")));
    grpc::ClientContext context;
    pb::AddItemRequest request;
    request.set_customer_id("alice");
    request.set_product_id(kId);
    request.set_quantity(1);
    pb::Cart cart;
    EXPECT_EQ(stub_->AddItem(&context, request, &cart).error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  {
    EXPECT_CALL(repo_, SetQuantity("alice", kId, 2)).WillOnce(Return(std::nullopt));
    grpc::ClientContext context;
    pb::UpdateItemQuantityRequest request;
    request.set_customer_id("alice");
    request.set_product_id(kId);
    request.set_quantity(2);
    pb::Cart cart;
    EXPECT_EQ(stub_->UpdateItemQuantity(&context, request, &cart).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    pb::RemoveItemRequest request;
    request.set_customer_id("alice");
    request.set_product_id("nope");
    pb::Cart cart;
    auto status = stub_->RemoveItem(&context, request, &cart);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("product_id"));
  }
  {
    grpc::ClientContext context;
    pb::ClearCartRequest request;  // no customer_id at all
    pb::Cart cart;
    EXPECT_EQ(stub_->ClearCart(&context, request, &cart).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
}

}  // namespace
}  // namespace storefront::cart::api
