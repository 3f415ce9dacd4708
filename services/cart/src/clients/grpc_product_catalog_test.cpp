// The catalog adapter against an in-process fake catalog: how the catalog's answers and
// failures become domain values and errors.
#include "clients/grpc_product_catalog.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "shared/testing/fake_catalog.h"
#include "shared/errors/errors.h"

namespace storefront::cart::clients {
namespace {

using ::storefront::testing::FakeCatalogService;
using ::storefront::testing::MakeProduct;

constexpr const char* kLamp = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kOldLamp = "11111111-2222-4333-8444-555555555555";

class GrpcProductCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Put(MakeProduct(kLamp, "HOM-LP-0001", "Desk Lamp", 4999));
    fake_.Put(MakeProduct(kOldLamp, "HOM-LP-0000", "Old Lamp", 2999, "USD", /*active=*/false));
    grpc::ServerBuilder builder;
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    catalog_ = std::make_unique<GrpcProductCatalog>(
        CatalogClient(server_->InProcessChannel({}), std::chrono::milliseconds(200)));
  }
  void TearDown() override {
    fake_.Release();
    server_->Shutdown();
  }

  FakeCatalogService fake_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<GrpcProductCatalog> catalog_;
};

TEST_F(GrpcProductCatalogTest, MapsAProductAndForwardsTheRequestId) {
  auto product = catalog_->Find(kLamp, "req-42");
  ASSERT_TRUE(product);
  EXPECT_EQ(product->id, kLamp);
  EXPECT_EQ(product->sku, "HOM-LP-0001");
  EXPECT_EQ(product->name, "Desk Lamp");
  EXPECT_EQ(product->price, (domain::Money{4999, "USD"}));
  EXPECT_TRUE(product->active);
  EXPECT_EQ(fake_.last_request_id(), "req-42");
}

TEST_F(GrpcProductCatalogTest, AnInactiveProductComesBackInactive) {
  auto product = catalog_->Find(kOldLamp, "");
  ASSERT_TRUE(product);
  EXPECT_FALSE(product->active);
}

TEST_F(GrpcProductCatalogTest, NotFoundIsNoProduct) {
  EXPECT_FALSE(catalog_->Find("99999999-9999-4999-8999-999999999999", ""));
}

TEST_F(GrpcProductCatalogTest, AnyOtherFailureIsUnavailable) {
  fake_.FailWith({grpc::StatusCode::UNAVAILABLE, "database unavailable"});
  EXPECT_THROW(catalog_->Find(kLamp, ""), Unavailable);
  fake_.FailWith({grpc::StatusCode::INTERNAL, "internal error"});
  EXPECT_THROW(catalog_->Find(kLamp, ""), Unavailable);
  fake_.Recover();
  EXPECT_TRUE(catalog_->Find(kLamp, ""));
}

TEST_F(GrpcProductCatalogTest, ACatalogThatDoesNotAnswerBeforeTheDeadlineIsUnavailable) {
  fake_.Hang();  // the call can only end by its deadline
  try {
    catalog_->Find(kLamp, "");
    FAIL() << "expected Unavailable";
  } catch (const Unavailable& error) {
    EXPECT_STREQ(error.what(), "the catalog did not answer in time; try again");
  }
}

}  // namespace
}  // namespace storefront::cart::clients
