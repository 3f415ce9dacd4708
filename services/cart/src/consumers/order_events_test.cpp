// The cart's reaction to OrderConfirmed, with the handler called directly on a pqxx::work as the
// consumer would (no broker): the ordered products' lines go, everything else stays, a
// redelivery changes nothing, the catalog is never asked, and malformed events throw so the
// library can dead-letter them.
#include "consumers/order_events.h"

#include <gtest/gtest.h>

#include "domain/mocks.h"
#include "repo/pg_cart_repository.h"
#include "shared/events/topics.h"
#include "shared/testing/events.h"
#include "shared/types/proto.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "testing/fixture.h"

namespace storefront::cart::consumers {
namespace {

using storefront::testing::SharedPostgres;
using testing::Line;
using testing::ProductId;
namespace ev = storefront::events::v1;

events::Envelope Confirmed(const std::string& customer_id, const std::vector<std::string>& product_ids,
                           std::optional<types::Timestamp> cart_version = std::nullopt) {
  ev::OrderConfirmed order;
  order.set_order_id("3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b");
  order.set_customer_id(customer_id);
  if (cart_version) *order.mutable_cart_version() = types::ToProto(*cart_version);
  for (const auto& id : product_ids) {
    auto* line = order.add_lines();
    line->set_product_id(id);
    line->set_quantity(1);
  }
  return storefront::testing::EnvelopeOf(events::types::kOrderConfirmed, order,
                                         {.event_id = "8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a"});
}

std::vector<std::string> ProductsIn(const domain::Cart& cart) {
  std::vector<std::string> ids;
  for (const auto& item : cart.items) ids.push_back(item.product_id);
  return ids;
}

class CartOrderEventsTest : public testing::CartDbTest {
 protected:
  void SetUp() override { repo::PgCartRepository::Prepare(connection_); }

  static std::string Customer() { return testing::CustomerOfThisTest("events-"); }

  // As the consumer runs it: one transaction, committed when the handler returns.
  int Handle(const events::Envelope& event) {
    pqxx::work txn(connection_);
    int removed = handlers_.OnOrderConfirmed(txn, event);
    txn.commit();
    return removed;
  }

  db::Pool pool_{SharedPostgres().Dsn("cart"), 2, std::chrono::seconds(10), repo::PgCartRepository::Prepare};
  repo::PgCartRepository repo_{pool_};
  pqxx::connection connection_{SharedPostgres().Dsn("cart")};
  ::testing::StrictMock<domain::MockProductCatalog> catalog_;  // any call fails the test
  OrderEventHandlers handlers_{catalog_};
};

TEST_F(CartOrderEventsTest, AConfirmedOrderTakesOnlyItsProductsOutOfTheCart) {
  const auto customer = Customer();
  repo_.AddItem(customer, Line(1), 2);
  repo_.AddItem(customer, Line(2), 1);
  repo_.AddItem(customer, Line(3), 4);  // added after checking out: not in the order
  const auto before = repo_.Get(customer);

  // Product ids in any case; product 9 was ordered but is no longer in the cart.
  std::string upper = ProductId(2);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Handle(Confirmed(customer, {ProductId(1), upper, ProductId(9)})), 2);
  auto after = repo_.Get(customer);
  EXPECT_EQ(ProductsIn(after), std::vector<std::string>{ProductId(3)});
  EXPECT_EQ(after.items[0].quantity, 4);
  EXPECT_GT(*after.updated_at, *before.updated_at);

  // Redelivered: the lines are gone already, so nothing changes, not even updated_at.
  EXPECT_EQ(Handle(Confirmed(customer, {ProductId(1), ProductId(2)})), 0);
  auto again = repo_.Get(customer);
  EXPECT_EQ(ProductsIn(again), std::vector<std::string>{ProductId(3)});
  EXPECT_EQ(again.updated_at, after.updated_at);
}

// The bug this guards against: the confirmation of one order arrived after the shopper had begun
// the next, and took out the product they had put back in (the next checkout found the cart empty).
// Only the lines unchanged since the version of the cart checkout priced go.
TEST_F(CartOrderEventsTest, ALineTheShopperChangedAfterCheckoutReadTheCartStays) {
  const auto customer = Customer();
  repo_.AddItem(customer, Line(1), 1);
  repo_.AddItem(customer, Line(2), 1);
  const auto priced = repo_.Get(customer);  // what checkout read: products 1 and 2
  ASSERT_TRUE(priced.updated_at);
  repo_.AddItem(customer, Line(1), 1);  // one more of product 1, before the confirmation arrives
  repo_.AddItem(customer, Line(4), 1);  // and a new product

  EXPECT_EQ(Handle(Confirmed(customer, {ProductId(1), ProductId(2)}, priced.updated_at)), 1);
  auto after = repo_.Get(customer);
  EXPECT_EQ(ProductsIn(after), (std::vector<std::string>{ProductId(1), ProductId(4)}));
  EXPECT_EQ(after.items[0].quantity, 2) << "the line the shopper touched since is theirs, as they left it";

  // A quantity set after the version counts as a change too.
  const auto second = repo_.Get(customer);
  repo_.SetQuantity(customer, ProductId(4), 3);
  EXPECT_EQ(Handle(Confirmed(customer, {ProductId(1), ProductId(4)}, second.updated_at)), 1);
  EXPECT_EQ(ProductsIn(repo_.Get(customer)), std::vector<std::string>{ProductId(4)});

  // Removed and put back after the version: a new line, the shopper's.
  const auto third = repo_.Get(customer);
  repo_.RemoveItem(customer, ProductId(4));
  repo_.AddItem(customer, Line(4), 1);
  EXPECT_EQ(Handle(Confirmed(customer, {ProductId(4)}, third.updated_at)), 0);
  EXPECT_EQ(ProductsIn(repo_.Get(customer)), std::vector<std::string>{ProductId(4)});
}

TEST_F(CartOrderEventsTest, AShopperWithoutACartIsLeftWithout) {
  const auto customer = Customer();
  EXPECT_EQ(Handle(Confirmed(customer, {ProductId(1)})), 0);
  EXPECT_FALSE(repo_.Get(customer).updated_at) << "no cart row was created";
}

TEST_F(CartOrderEventsTest, TheRemovalRollsBackWithTheConsumersTransaction) {
  const auto customer = Customer();
  repo_.AddItem(customer, Line(1), 1);
  {
    pqxx::work txn(connection_);
    EXPECT_EQ(handlers_.OnOrderConfirmed(txn, Confirmed(customer, {ProductId(1)})), 1);
    txn.abort();  // the inbox insert failed, say: the event will be delivered again
  }
  EXPECT_EQ(ProductsIn(repo_.Get(customer)), std::vector<std::string>{ProductId(1)});
}

// Poison: thrown, so the consumer retries and then dead-letters it; the cart is untouched.
TEST_F(CartOrderEventsTest, MalformedEventsThrowAndChangeNothing) {
  const auto customer = Customer();
  repo_.AddItem(customer, Line(1), 1);
  for (const auto& bad_customer :
       std::vector<std::string>{"", "has space", std::string(65, 'a'), "'; DROP TABLE carts; --"}) {
    EXPECT_THROW(Handle(Confirmed(bad_customer, {ProductId(1)})), std::invalid_argument) << bad_customer;
  }
  EXPECT_THROW(Handle(Confirmed(customer, {ProductId(1), "not-a-uuid"})), std::invalid_argument);
  EXPECT_THROW(Handle(Confirmed(customer, {""})), std::invalid_argument);
  auto garbage = Confirmed(customer, {ProductId(1)});
  garbage.set_payload(std::string("\x0a\x05" "ab", 4));  // a field longer than the bytes left
  EXPECT_THROW(Handle(garbage), std::runtime_error);
  auto absurd_version = Confirmed(customer, {ProductId(1)});
  {
    ev::OrderConfirmed order;
    ASSERT_TRUE(order.ParseFromString(absurd_version.payload()));
    order.mutable_cart_version()->set_seconds(400'000'000'000);  // the year 14'645
    absurd_version.set_payload(order.SerializeAsString());
  }
  EXPECT_THROW(Handle(absurd_version), std::invalid_argument) << "not a version: not taken as none";
  EXPECT_EQ(ProductsIn(repo_.Get(customer)), std::vector<std::string>{ProductId(1)});
}

}  // namespace
}  // namespace storefront::cart::consumers
