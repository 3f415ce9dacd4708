// The catalog repository against a real PostgreSQL, with the real migrations and seed data, and
// the outbox rows its changes write in their own transactions.
#include "repo/pg_product_repository.h"

#include <gtest/gtest.h>

#include <set>

#include "app.h"
#include "domain/catalog.h"
#include "shared/db/migrations.h"
#include "shared/events/topics.h"
#include "shared/testing/postgres.h"
#include "storefront/events/v1/catalog_events.pb.h"
#include "shared/testing/outbox_rows.h"

namespace storefront::catalog::repo {
namespace {

using storefront::testing::SharedPostgres;
using testing::EventTypes;
using testing::OutboxRows;
namespace ev = storefront::events::v1;
namespace types = storefront::events::types;

std::vector<std::string> Types(std::initializer_list<std::string_view> types) { return {types.begin(), types.end()}; }

class PgProductRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pqxx::connection connection(SharedPostgres().Dsn("catalog"));
    db::Migrate(connection, "catalog", AllMigrations());
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
  EXPECT_TRUE(db::Migrate(connection, "catalog", AllMigrations()).applied.empty());
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

// --- The outbox: each change announces itself in its own transaction -----------------------------

std::vector<std::string> ChangedFields(const testing::OutboxRow& row) {
  auto payload = row.PayloadAs<ev::ProductChanged>();
  return {payload.changed_fields().begin(), payload.changed_fields().end()};
}

int OutboxCount() {
  pqxx::connection connection(SharedPostgres().Dsn("catalog"));
  pqxx::nontransaction txn(connection);
  return txn.exec("SELECT count(*) FROM outbox")[0][0].as<int>();
}

TEST_F(PgProductRepositoryTest, CreateUpdateAndDeactivateEachAnnounceWhatChanged) {
  const std::string dsn = SharedPostgres().Dsn("catalog");
  auto created = catalog_.CreateProduct(
      {"TST-EVT-0001", "Event Lamp", "Glows.", {1999, "USD"}, "outdoor", "https://images.storefront.example/l.jpg"});
  auto rows = OutboxRows(dsn, "catalog", created.id);
  ASSERT_EQ(EventTypes(rows), Types({types::kProductCreated}));
  EXPECT_EQ(rows[0].topic, storefront::events::kProductTopic);
  EXPECT_EQ(rows[0].key, created.id);
  EXPECT_EQ(rows[0].envelope.aggregate_type(), "product");
  EXPECT_EQ(rows[0].envelope.producer(), "catalog");
  auto payload = rows[0].PayloadAs<ev::ProductCreated>();
  EXPECT_EQ(payload.product_id(), created.id);
  EXPECT_EQ(payload.sku(), "TST-EVT-0001");
  EXPECT_EQ(payload.name(), "Event Lamp");
  EXPECT_EQ(payload.price().amount_minor(), 1999);
  EXPECT_EQ(payload.price().currency(), "USD");
  EXPECT_EQ(payload.category_id(), "outdoor");
  EXPECT_EQ(payload.image_url(), "https://images.storefront.example/l.jpg");
  EXPECT_TRUE(payload.active());

  domain::ProductPatch reprice;
  reprice.price = domain::Money{2499, "USD"};
  reprice.name = "Event Lamp II";
  catalog_.UpdateProduct(created.id, reprice);
  catalog_.UpdateProduct(created.id, reprice);  // the same values again: nothing changed, nothing announced
  rows = OutboxRows(dsn, "catalog", created.id);
  ASSERT_EQ(EventTypes(rows), Types({types::kProductCreated, types::kProductChanged}));
  EXPECT_EQ(ChangedFields(rows[1]), (std::vector<std::string>{"name", "price"}));
  auto changed = rows[1].PayloadAs<ev::ProductChanged>();
  EXPECT_EQ(changed.name(), "Event Lamp II");
  EXPECT_EQ(changed.price().amount_minor(), 2499);
  EXPECT_EQ(changed.category_id(), "outdoor") << "the whole product, not only the diff";

  catalog_.DeactivateProduct(created.id);
  catalog_.DeactivateProduct(created.id);  // already inactive: nothing announced
  rows = OutboxRows(dsn, "catalog", created.id);
  ASSERT_EQ(EventTypes(rows), Types({types::kProductCreated, types::kProductChanged, types::kProductDeactivated}));
  auto deactivated = rows[2].PayloadAs<ev::ProductDeactivated>();
  EXPECT_EQ(deactivated.product_id(), created.id);
  EXPECT_EQ(deactivated.sku(), "TST-EVT-0001");

  domain::ProductPatch reactivate;
  reactivate.active = true;
  catalog_.UpdateProduct(created.id, reactivate);
  rows = OutboxRows(dsn, "catalog", created.id);
  ASSERT_EQ(rows.back().event_type, types::kProductChanged);
  EXPECT_EQ(ChangedFields(rows.back()), (std::vector<std::string>{"active"}));
  EXPECT_TRUE(rows.back().PayloadAs<ev::ProductChanged>().active());

  // An update that changes a field and withdraws the product announces both, change first.
  domain::ProductPatch withdraw;
  withdraw.image_url = "";
  withdraw.active = false;
  catalog_.UpdateProduct(created.id, withdraw);
  rows = OutboxRows(dsn, "catalog", created.id);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[4].event_type, types::kProductChanged);
  EXPECT_EQ(ChangedFields(rows[4]), (std::vector<std::string>{"image_url"}));
  EXPECT_FALSE(rows[4].PayloadAs<ev::ProductChanged>().active());
  EXPECT_EQ(rows[5].event_type, types::kProductDeactivated);
  for (const auto& row : rows) EXPECT_EQ(row.key, created.id);
}

TEST_F(PgProductRepositoryTest, EachEventIsWrittenByTheTransactionOfItsChange) {
  auto created = catalog_.CreateProduct({"TST-EVT-0002", "Event Kettle", "", {3999, "USD"}, "outdoor", ""});
  domain::ProductPatch patch;
  patch.description = "Whistles.";
  catalog_.UpdateProduct(created.id, patch);
  // xmin is the id of the transaction that wrote a row version: the product's last change and
  // its latest event share it.
  pqxx::connection connection(SharedPostgres().Dsn("catalog"));
  pqxx::nontransaction txn(connection);
  auto product_xmin = txn.exec_params("SELECT xmin::text FROM products WHERE id = $1::uuid", created.id)[0][0]
                          .as<std::string>();
  auto events = txn.exec_params("SELECT xmin::text, event_type FROM outbox WHERE key = $1 ORDER BY id", created.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1][1].as<std::string>(), types::kProductChanged);
  EXPECT_EQ(events[1][0].as<std::string>(), product_xmin);
  EXPECT_NE(events[0][0].as<std::string>(), product_xmin) << "the creation was an earlier transaction";
}

TEST_F(PgProductRepositoryTest, ARefusedChangeAnnouncesNothing) {
  auto created = catalog_.CreateProduct({"TST-EVT-0003", "Event Stove", "", {5999, "USD"}, "outdoor", ""});
  const int before = OutboxCount();
  // Refused by the database inside the transaction (the SKU's unique index): rolled back, event too.
  EXPECT_THROW(catalog_.CreateProduct({"TST-EVT-0003", "Duplicate", "", {1, "USD"}, "outdoor", ""}), AlreadyExists);
  domain::ProductPatch patch;
  patch.category_id = "no-such-category";
  EXPECT_THROW(catalog_.UpdateProduct(created.id, patch), InvalidArgument);
  EXPECT_THROW(catalog_.DeactivateProduct("00000000-0000-4000-8000-000000000000"), NotFound);
  EXPECT_EQ(OutboxCount(), before);
}

}  // namespace
}  // namespace storefront::catalog::repo
