// The gRPC transport over an in-process server with a mocked repository: wire mapping and
// status codes, without a database.
#include "api/catalog_api.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "domain/mocks.h"
#include "shared/errors/errors.h"

namespace storefront::catalog::api {
namespace {

using ::testing::_;
using ::testing::Return;
using ::testing::Throw;

constexpr const char* kId = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";

class CatalogApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&api_);
    server_ = builder.BuildAndStart();
    stub_ = pb::CatalogService::NewStub(server_->InProcessChannel({}));
  }
  void TearDown() override { server_->Shutdown(); }

  domain::MockProductRepository repo_;
  domain::Catalog catalog_{repo_};
  CatalogApi api_{catalog_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::CatalogService::Stub> stub_;
};

TEST_F(CatalogApiTest, GetProductMapsEveryField) {
  domain::Product p;
  p.id = kId;
  p.sku = "AUD-HP-0001";
  p.name = "Harbor Headphones";
  p.price = {12999, "USD"};
  p.category_id = "audio";
  p.active = true;
  p.created_at = domain::Timestamp(std::chrono::seconds(1700000000));
  EXPECT_CALL(repo_, Get(kId)).WillOnce(Return(p));

  grpc::ClientContext context;
  pb::GetProductRequest request;
  request.set_id(kId);
  pb::Product response;
  ASSERT_TRUE(stub_->GetProduct(&context, request, &response).ok());
  EXPECT_EQ(response.sku(), "AUD-HP-0001");
  EXPECT_EQ(response.price().amount_minor(), 12999);
  EXPECT_EQ(response.price().currency(), "USD");
  EXPECT_EQ(response.created_at().seconds(), 1700000000);
}

TEST_F(CatalogApiTest, ErrorsBecomeStatusCodes) {
  {
    grpc::ClientContext context;
    pb::GetProductRequest request;
    request.set_id("junk");
    pb::Product response;
    EXPECT_EQ(stub_->GetProduct(&context, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    pb::ListProductsRequest request;
    request.set_page_size(1000);
    pb::ListProductsResponse response;
    auto status = stub_->ListProducts(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("page_size: ", 0), 0u) << status.error_message();
  }
  {
    EXPECT_CALL(repo_, Categories()).WillOnce(Throw(Unavailable("database unavailable")));
    grpc::ClientContext context;
    pb::ListCategoriesResponse response;
    EXPECT_EQ(stub_->ListCategories(&context, {}, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  }
}

TEST_F(CatalogApiTest, CreateWithoutPriceIsInvalid) {
  EXPECT_CALL(repo_, Create(_)).Times(0);
  grpc::ClientContext context;
  pb::CreateProductRequest request;
  request.set_sku("AUD-HP-0002");
  request.set_name("x");
  request.set_category_id("audio");
  pb::Product response;
  EXPECT_EQ(stub_->CreateProduct(&context, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(PatchFromProtoTest, OnlyMaskedFieldsChangeAndUnknownPathsAreRejected) {
  pb::UpdateProductRequest request;
  request.set_id(kId);
  request.mutable_product()->set_name("New");
  request.mutable_product()->set_description("ignored: not in mask");
  request.mutable_update_mask()->add_paths("name");
  auto patch = PatchFromProto(request);
  EXPECT_EQ(patch.name, std::optional<std::string>("New"));
  EXPECT_FALSE(patch.description);

  request.mutable_update_mask()->add_paths("sku");
  EXPECT_THROW(PatchFromProto(request), InvalidArgument);
}

}  // namespace
}  // namespace storefront::catalog::api
