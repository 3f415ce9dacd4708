#include "domain/catalog.h"

#include <gtest/gtest.h>

#include "domain/mocks.h"

namespace storefront::catalog::domain {
namespace {

using ::testing::_;
using ::testing::Field;
using ::testing::Return;

constexpr const char* kId = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";

Product Sample(std::string name = "Lamp") {
  Product p;
  p.id = kId;
  p.name = std::move(name);
  p.sku = "HOM-LP-0001";
  p.price = {4999, "USD"};
  p.category_id = "home-kitchen";
  return p;
}

class CatalogTest : public ::testing::Test {
 protected:
  MockProductRepository repo_;
  Catalog catalog_{repo_};
};

TEST_F(CatalogTest, ListUsesDefaultPageSizeAndReturnsAnOpaqueTokenForTheNextPage) {
  EXPECT_CALL(repo_, List(Field(&ProductQuery::limit, kDefaultPageSize)))
      .WillOnce(Return(ProductPage{{Sample()}, PageToken{"Lamp", kId}}));
  auto result = catalog_.ListProducts({});
  ASSERT_EQ(result.products.size(), 1u);
  EXPECT_FALSE(result.next_page_token.empty());

  // The token comes back decoded for the same filters.
  EXPECT_CALL(repo_, List(Field(&ProductQuery::after, std::optional<PageToken>(PageToken{"Lamp", kId}))))
      .WillOnce(Return(ProductPage{}));
  auto last = catalog_.ListProducts({.page_token = result.next_page_token});
  EXPECT_TRUE(last.next_page_token.empty());
}

TEST_F(CatalogTest, ListRejectsBadParametersWithoutTouchingTheRepository) {
  EXPECT_CALL(repo_, List(_)).Times(0);
  EXPECT_THROW(catalog_.ListProducts({.page_size = 101}), InvalidArgument);
  EXPECT_THROW(catalog_.ListProducts({.page_size = -1}), InvalidArgument);
  EXPECT_THROW(catalog_.ListProducts({.category_id = "NOT A SLUG"}), InvalidArgument);
  EXPECT_THROW(catalog_.ListProducts({.query = std::string(201, 'a')}), InvalidArgument);
  EXPECT_THROW(catalog_.ListProducts({.page_token = "garbage"}), InvalidArgument);
}

TEST_F(CatalogTest, ASearchCursorMustCarryANumericRank) {
  EXPECT_CALL(repo_, List(_)).Times(0);
  auto token = EncodePageToken({"not-a-rank", kId}, FilterFingerprint("lamp", "", false));
  EXPECT_THROW(catalog_.ListProducts({.query = "lamp", .page_token = token}), InvalidArgument);
}

TEST_F(CatalogTest, ACursorFromAnotherQueryIsRejected) {
  EXPECT_CALL(repo_, List(_)).WillOnce(Return(ProductPage{{Sample()}, PageToken{"Lamp", kId}}));
  auto first = catalog_.ListProducts({.category_id = "audio"});
  EXPECT_THROW(catalog_.ListProducts({.category_id = "books", .page_token = first.next_page_token}),
               InvalidArgument);
}

TEST_F(CatalogTest, GetOfAMalformedOrUnknownIdIsNotFound) {
  EXPECT_CALL(repo_, Get(kId)).WillOnce(Return(std::nullopt));
  EXPECT_THROW(catalog_.GetProduct("nope"), NotFound);
  EXPECT_THROW(catalog_.GetProduct(kId), NotFound);
}

TEST_F(CatalogTest, CreateValidatesAndChecksTheCategory) {
  NewProduct p{"HOM-LP-0002", "Desk Lamp", "", {2999, "USD"}, "home-kitchen", ""};
  EXPECT_CALL(repo_, CategoryExists("home-kitchen")).WillOnce(Return(false));
  EXPECT_THROW(catalog_.CreateProduct(p), InvalidArgument);

  EXPECT_CALL(repo_, CategoryExists("home-kitchen")).WillOnce(Return(true));
  EXPECT_CALL(repo_, Create(_)).WillOnce(Return(Sample("Desk Lamp")));
  EXPECT_EQ(catalog_.CreateProduct(p).name, "Desk Lamp");

  p.price.amount_minor = -5;
  EXPECT_THROW(catalog_.CreateProduct(p), InvalidArgument);
}

TEST_F(CatalogTest, DeactivateSetsActiveFalseOnly) {
  ProductPatch seen;
  EXPECT_CALL(repo_, Update(kId, _)).WillOnce([&](const std::string&, const ProductPatch& patch) {
    seen = patch;
    Product p = Sample();
    p.active = false;
    return std::optional<Product>(p);
  });
  EXPECT_FALSE(catalog_.DeactivateProduct(kId).active);
  EXPECT_EQ(seen.active, std::optional<bool>(false));
  EXPECT_FALSE(seen.name || seen.price || seen.description);
}

TEST_F(CatalogTest, UpdateOfAnUnknownProductIsNotFound) {
  EXPECT_CALL(repo_, Update(kId, _)).WillOnce(Return(std::nullopt));
  ProductPatch patch;
  patch.name = "New name";
  EXPECT_THROW(catalog_.UpdateProduct(kId, patch), NotFound);
}

TEST_F(CatalogTest, BatchGetSkipsMalformedIdsAndCapsTheBatch) {
  EXPECT_CALL(repo_, BatchGet(std::vector<std::string>{kId})).WillOnce(Return(std::vector<Product>{Sample()}));
  EXPECT_EQ(catalog_.BatchGetProducts({kId, "junk"}).size(), 1u);
  EXPECT_THROW(catalog_.BatchGetProducts(std::vector<std::string>(101, kId)), InvalidArgument);
}

}  // namespace
}  // namespace storefront::catalog::domain
