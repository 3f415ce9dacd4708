// The catalog repository against a real PostgreSQL, with the real migrations and seed data.
#include "repo/pg_product_repository.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/catalog.h"
#include "shared/db/migrations.h"
#include "shared/testing/postgres.h"

namespace storefront::catalog {
const std::vector<db::Migration>& Migrations();
}

namespace storefront::catalog::repo {
namespace {

using storefront::testing::SharedPostgres;

class PgProductRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pqxx::connection connection(SharedPostgres().Dsn("catalog"));
    db::Migrate(connection, "catalog", Migrations());
  }

  db::Pool pool_{SharedPostgres().Dsn("catalog"), 4, std::chrono::seconds(5), PgProductRepository::Prepare};
  PgProductRepository repo_{pool_};
  domain::Catalog catalog_{repo_};
};

std::vector<domain::Product> ReadAll(domain::Catalog& catalog, domain::ListRequest request) {
  std::vector<domain::Product> all;
  for (int page = 0; page < 100; ++page) {
    auto result = catalog.ListProducts(request);
    all.insert(all.end(), result.products.begin(), result.products.end());
    if (result.next_page_token.empty()) return all;
    request.page_token = result.next_page_token;
  }
  ADD_FAILURE() << "pagination did not end";
  return all;
}

TEST_F(PgProductRepositoryTest, SeedsABelievableDemoCatalogOnce) {
  pqxx::connection connection(SharedPostgres().Dsn("catalog"));
  // Migrating again adds nothing.
  EXPECT_TRUE(db::Migrate(connection, "catalog", Migrations()).applied.empty());
  auto categories = repo_.Categories();
  EXPECT_GE(categories.size(), 5u);
  int active = 0;
  for (const auto& category : categories) active += category.active_product_count;
  EXPECT_GE(active, 50);
}

TEST_F(PgProductRepositoryTest, PaginatesEveryActiveProductExactlyOnceInNameOrder) {
  auto all = ReadAll(catalog_, {.page_size = 7});
  std::set<std::string> ids;
  for (const auto& product : all) {
    EXPECT_TRUE(product.active);
    EXPECT_TRUE(ids.insert(product.id).second) << "repeated " << product.name;
  }
  EXPECT_GE(all.size(), 50u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LE(all[i - 1].name, all[i].name);
  pqxx::connection connection(SharedPostgres().Dsn("catalog"));
  pqxx::work txn(connection);
  EXPECT_EQ(static_cast<std::size_t>(txn.exec("SELECT count(*) FROM products WHERE active")[0][0].as<int>()),
            all.size());
}

TEST_F(PgProductRepositoryTest, FullTextSearchRanksAndPaginatesWithoutRepeats) {
  auto all = ReadAll(catalog_, {.query = "wireless", .page_size = 3});
  ASSERT_GE(all.size(), 4u);
  std::set<std::string> ids;
  for (const auto& product : all) EXPECT_TRUE(ids.insert(product.id).second);
  // Every hit mentions the word somewhere a shopper can see (stemmed match).
  for (const auto& product : all) {
    std::string text = product.name + " " + product.description;
    for (auto& c : text) c = static_cast<char>(std::tolower(c));
    EXPECT_NE(text.find("wireless"), std::string::npos) << product.name;
  }
  EXPECT_TRUE(catalog_.ListProducts({.query = "zzzxqv"}).products.empty());
}

TEST_F(PgProductRepositoryTest, FiltersByCategory) {
  auto audio = ReadAll(catalog_, {.category_id = "audio", .page_size = 4});
  ASSERT_FALSE(audio.empty());
  for (const auto& product : audio) EXPECT_EQ(product.category_id, "audio");
  auto search = ReadAll(catalog_, {.query = "wireless", .category_id = "audio"});
  for (const auto& product : search) EXPECT_EQ(product.category_id, "audio");
}

TEST_F(PgProductRepositoryTest, InactiveProductsAreHiddenUnlessAsked) {
  auto active = ReadAll(catalog_, {.page_size = 100});
  auto everything = ReadAll(catalog_, {.page_size = 100, .include_inactive = true});
  EXPECT_GT(everything.size(), active.size());
}

TEST_F(PgProductRepositoryTest, CreateUpdateDeactivateRoundTrip) {
  domain::NewProduct fresh{"TST-CRUD-0001", "Test Lantern", "A lantern for tests.", {2599, "USD"}, "outdoor", ""};
  auto created = catalog_.CreateProduct(fresh);
  EXPECT_EQ(created.sku, "TST-CRUD-0001");
  EXPECT_TRUE(created.active);
  EXPECT_THROW(catalog_.CreateProduct(fresh), AlreadyExists);

  domain::ProductPatch patch;
  patch.price = domain::Money{2899, "USD"};
  patch.name = "Test Lantern II";
  auto updated = catalog_.UpdateProduct(created.id, patch);
  EXPECT_EQ(updated.price.amount_minor, 2899);
  EXPECT_EQ(updated.name, "Test Lantern II");
  EXPECT_EQ(updated.description, "A lantern for tests.");
  EXPECT_GE(updated.updated_at, created.updated_at);

  auto found = catalog_.ListProducts({.query = "lantern II"});
  bool listed = false;
  for (const auto& p : found.products) listed = listed || p.id == created.id;
  EXPECT_TRUE(listed) << "search vector follows the new name";

  auto deactivated = catalog_.DeactivateProduct(created.id);
  EXPECT_FALSE(deactivated.active);
  EXPECT_FALSE(catalog_.GetProduct(created.id).active);
  auto after = ReadAll(catalog_, {.query = "lantern"});
  for (const auto& p : after) EXPECT_NE(p.id, created.id);
}

TEST_F(PgProductRepositoryTest, UnknownCategoryAndIdsAreReportedPrecisely) {
  domain::NewProduct orphan{"TST-ORPH-0001", "Orphan", "", {100, "USD"}, "no-such-category", ""};
  EXPECT_THROW(catalog_.CreateProduct(orphan), InvalidArgument);
  domain::ProductPatch patch;
  patch.name = "x";
  EXPECT_THROW(catalog_.UpdateProduct("00000000-0000-4000-8000-000000000000", patch), NotFound);
  EXPECT_THROW(catalog_.GetProduct("00000000-0000-4000-8000-000000000000"), NotFound);
}

TEST_F(PgProductRepositoryTest, BatchGetReturnsTheKnownOnes) {
  auto page = catalog_.ListProducts({.page_size = 3});
  std::vector<std::string> ids;
  for (const auto& p : page.products) ids.push_back(p.id);
  ids.push_back("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(catalog_.BatchGetProducts(ids).size(), 3u);
}

TEST_F(PgProductRepositoryTest, HostileQueriesAreJustText) {
  EXPECT_NO_THROW(catalog_.ListProducts({.query = "'; DROP TABLE products; --"}));
  EXPECT_NO_THROW(catalog_.ListProducts({.query = "!!! & | ( :*"}));
  EXPECT_NO_THROW(catalog_.ListProducts({.query = "\"unterminated"}));
  EXPECT_GE(ReadAll(catalog_, {.page_size = 100}).size(), 50u);
}

}  // namespace
}  // namespace storefront::catalog::repo
