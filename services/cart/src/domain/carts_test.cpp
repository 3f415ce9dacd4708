#include "domain/carts.h"

#include <gtest/gtest.h>

#include "domain/mocks.h"

namespace storefront::cart::domain {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Return;
using ::testing::Throw;

constexpr const char* kId = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kCustomer = "alice";

CatalogProduct Lamp(bool active = true) { return {kId, "HOM-LP-0001", "Desk Lamp", {4999, "USD"}, active}; }

Cart CartWith(int quantity, std::string currency = "USD") {
  Cart cart{kCustomer, {}, Timestamp(std::chrono::seconds(1700000000))};
  CartItem item;
  item.product_id = kId;
  item.sku = "HOM-LP-0001";
  item.name = "Desk Lamp";
  item.quantity = quantity;
  item.unit_price = {4999, std::move(currency)};
  cart.items.push_back(item);
  return cart;
}

// The message of the error `call` throws, or "" when it throws none.
template <typename Error, typename Fn>
std::string MessageOf(Fn&& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

class CartsTest : public ::testing::Test {
 protected:
  MockCartRepository repo_;
  MockProductCatalog catalog_;
  Carts carts_{repo_, catalog_};
};

TEST_F(CartsTest, GetCartPassesAValidCustomerToTheRepository) {
  EXPECT_CALL(repo_, Get(kCustomer)).WillOnce(Return(Cart{kCustomer, {}, std::nullopt}));
  auto cart = carts_.GetCart(kCustomer);
  EXPECT_TRUE(cart.items.empty());
  EXPECT_FALSE(cart.updated_at);
}

TEST_F(CartsTest, EveryCallRejectsABadCustomerIdWithoutTouchingAnything) {
  EXPECT_CALL(repo_, Get(_)).Times(0);
  EXPECT_CALL(repo_, AddItem(_, _, _)).Times(0);
  EXPECT_CALL(repo_, SetQuantity(_, _, _)).Times(0);
  EXPECT_CALL(repo_, RemoveItem(_, _)).Times(0);
  EXPECT_CALL(repo_, Clear(_)).Times(0);
  EXPECT_CALL(catalog_, Find(_, _)).Times(0);
  for (std::string bad : {std::string(), std::string(65, 'a'), std::string("bob smith"), std::string("x\ny")}) {
    EXPECT_THAT(MessageOf<InvalidArgument>([&] { carts_.GetCart(bad); }), HasSubstr("customer_id"));
    EXPECT_THROW(carts_.AddItem({bad, kId, 1, ""}), InvalidArgument);
    EXPECT_THROW(carts_.UpdateItemQuantity(bad, kId, 1), InvalidArgument);
    EXPECT_THROW(carts_.RemoveItem(bad, kId), InvalidArgument);
    EXPECT_THROW(carts_.ClearCart(bad), InvalidArgument);
  }
}

TEST_F(CartsTest, AddItemValidatesQuantityOneToNinetyNineBeforeAskingTheCatalog) {
  EXPECT_CALL(catalog_, Find(_, _)).Times(0);
  EXPECT_CALL(repo_, AddItem(_, _, _)).Times(0);
  for (int bad : {0, -1, 100, -2147483647 - 1}) {
    EXPECT_EQ(MessageOf<InvalidArgument>([&] { carts_.AddItem({kCustomer, kId, bad, ""}); }),
              "quantity: must be between 1 and 99")
        << bad;
  }
}

TEST_F(CartsTest, AddItemNamesEveryBadFieldAtOnce) {
  EXPECT_CALL(catalog_, Find(_, _)).Times(0);
  auto message = MessageOf<InvalidArgument>([&] { carts_.AddItem({"", "not-a-uuid", 0, ""}); });
  EXPECT_EQ(message,
            "customer_id: must be 1 to 64 characters of A-Z, a-z, 0-9, - and _; product_id: must be a product UUID; "
            "quantity: must be between 1 and 99");
}

TEST_F(CartsTest, AddItemStoresWhatTheCatalogSaysNow) {
  EXPECT_CALL(catalog_, Find(kId, "req-1")).WillOnce(Return(Lamp()));
  EXPECT_CALL(repo_, AddItem(kCustomer, LineSnapshot{kId, "HOM-LP-0001", "Desk Lamp", {4999, "USD"}}, 2))
      .WillOnce(Return(AddOutcome{AddResult::kAdded, CartWith(2)}));
  auto cart = carts_.AddItem({kCustomer, kId, 2, "req-1"});
  EXPECT_EQ(cart.ItemCount(), 2);
}

TEST_F(CartsTest, AddItemLowercasesTheProductIdSoOneProductIsOneLine) {
  std::string upper = "0B6F6A3E-8D52-4C1E-9A0B-2F1F0C7B9A11";
  EXPECT_CALL(catalog_, Find(kId, _)).WillOnce(Return(Lamp()));
  EXPECT_CALL(repo_, AddItem(kCustomer, ::testing::Field(&LineSnapshot::product_id, kId), 1))
      .WillOnce(Return(AddOutcome{AddResult::kAdded, CartWith(1)}));
  carts_.AddItem({kCustomer, upper, 1, ""});
}

TEST_F(CartsTest, AddItemOfAnUnknownProductIsNotFound) {
  EXPECT_CALL(catalog_, Find(kId, _)).WillOnce(Return(std::nullopt));
  EXPECT_CALL(repo_, AddItem(_, _, _)).Times(0);
  EXPECT_THROW(carts_.AddItem({kCustomer, kId, 1, ""}), NotFound);
}

TEST_F(CartsTest, AddItemOfAnInactiveProductIsAFailedPrecondition) {
  EXPECT_CALL(catalog_, Find(kId, _)).WillOnce(Return(Lamp(/*active=*/false)));
  EXPECT_CALL(repo_, AddItem(_, _, _)).Times(0);
  EXPECT_THROW(carts_.AddItem({kCustomer, kId, 1, ""}), FailedPrecondition);
}

TEST_F(CartsTest, AddItemWhileTheCatalogIsDownIsUnavailableAndChangesNothing) {
  EXPECT_CALL(catalog_, Find(kId, _)).WillOnce(Throw(Unavailable("the catalog is unavailable")));
  EXPECT_CALL(repo_, AddItem(_, _, _)).Times(0);
  EXPECT_THROW(carts_.AddItem({kCustomer, kId, 1, ""}), Unavailable);
}

TEST_F(CartsTest, AddItemRefusesAProductTheCatalogDescribesImplausibly) {
  EXPECT_CALL(repo_, AddItem(_, _, _)).Times(0);
  auto negative = Lamp();
  negative.price.amount_minor = -1;
  auto huge = Lamp();
  huge.price.amount_minor = kMaxUnitPriceMinor + 1;
  auto no_currency = Lamp();
  no_currency.price.currency = "";
  auto other_id = Lamp();
  other_id.id = "11111111-1111-1111-1111-111111111111";
  auto nameless = Lamp();
  nameless.name = "";
  for (const auto& product : {negative, huge, no_currency, other_id, nameless}) {
    EXPECT_CALL(catalog_, Find(kId, _)).WillOnce(Return(product));
    EXPECT_THROW(carts_.AddItem({kCustomer, kId, 1, ""}), std::runtime_error);
  }
}

TEST_F(CartsTest, AddItemBeyondNinetyNineOnALineIsAFailedPreconditionNamingQuantity) {
  EXPECT_CALL(catalog_, Find(kId, _)).WillOnce(Return(Lamp()));
  EXPECT_CALL(repo_, AddItem(kCustomer, _, 5)).WillOnce(Return(AddOutcome{AddResult::kQuantityLimit, CartWith(95)}));
  auto message = MessageOf<FailedPrecondition>([&] { carts_.AddItem({kCustomer, kId, 5, ""}); });
  EXPECT_THAT(message, HasSubstr("quantity"));
  EXPECT_THAT(message, HasSubstr("holds 95"));
  EXPECT_THAT(message, HasSubstr("99"));
}

TEST_F(CartsTest, AddItemOfAFiftyFirstLineIsAFailedPrecondition) {
  EXPECT_CALL(catalog_, Find(kId, _)).WillOnce(Return(Lamp()));
  EXPECT_CALL(repo_, AddItem(_, _, _)).WillOnce(Return(AddOutcome{AddResult::kLineLimit, CartWith(1)}));
  EXPECT_THAT(MessageOf<FailedPrecondition>([&] { carts_.AddItem({kCustomer, kId, 1, ""}); }), HasSubstr("50"));
}

TEST_F(CartsTest, AddItemInAnotherCurrencyIsAFailedPrecondition) {
  EXPECT_CALL(catalog_, Find(kId, _)).WillOnce(Return(Lamp()));
  EXPECT_CALL(repo_, AddItem(_, _, _)).WillOnce(Return(AddOutcome{AddResult::kCurrencyMismatch, CartWith(1, "EUR")}));
  auto message = MessageOf<FailedPrecondition>([&] { carts_.AddItem({kCustomer, kId, 1, ""}); });
  EXPECT_THAT(message, HasSubstr("EUR"));
  EXPECT_THAT(message, HasSubstr("USD"));
}

TEST_F(CartsTest, UpdateItemQuantitySetsAnAbsoluteQuantityWithoutTheCatalog) {
  EXPECT_CALL(catalog_, Find(_, _)).Times(0);
  EXPECT_CALL(repo_, SetQuantity(kCustomer, kId, 7)).WillOnce(Return(CartWith(7)));
  EXPECT_EQ(carts_.UpdateItemQuantity(kCustomer, kId, 7).ItemCount(), 7);
}

TEST_F(CartsTest, UpdateItemQuantityValidatesAndZeroIsNotADelete) {
  EXPECT_CALL(repo_, SetQuantity(_, _, _)).Times(0);
  EXPECT_THAT(MessageOf<InvalidArgument>([&] { carts_.UpdateItemQuantity(kCustomer, kId, 0); }), HasSubstr("quantity"));
  EXPECT_THROW(carts_.UpdateItemQuantity(kCustomer, kId, 100), InvalidArgument);
  EXPECT_THAT(MessageOf<InvalidArgument>([&] { carts_.UpdateItemQuantity(kCustomer, "x", 1); }),
              HasSubstr("product_id"));
}

TEST_F(CartsTest, UpdateItemQuantityOfAProductNotInTheCartIsNotFound) {
  EXPECT_CALL(repo_, SetQuantity(kCustomer, kId, 3)).WillOnce(Return(std::nullopt));
  EXPECT_THROW(carts_.UpdateItemQuantity(kCustomer, kId, 3), NotFound);
}

TEST_F(CartsTest, RemoveAndClearGoStraightToTheRepository) {
  EXPECT_CALL(repo_, RemoveItem(kCustomer, kId)).WillOnce(Return(Cart{kCustomer, {}, std::nullopt}));
  EXPECT_TRUE(carts_.RemoveItem(kCustomer, "0B6F6A3E-8D52-4C1E-9A0B-2F1F0C7B9A11").items.empty());
  EXPECT_THROW(carts_.RemoveItem(kCustomer, "junk"), InvalidArgument);
  EXPECT_CALL(repo_, Clear(kCustomer)).WillOnce(Return(Cart{kCustomer, {}, std::nullopt}));
  EXPECT_TRUE(carts_.ClearCart(kCustomer).items.empty());
}

TEST_F(CartsTest, AConfirmedOrdersProductsLeaveTheCartOnceEachWithoutTheCatalog) {
  constexpr const char* kOther = "11111111-2222-4333-8444-555555555555";
  EXPECT_CALL(catalog_, Find(_, _)).Times(0);
  const auto version = types::FromMicros(1'800'000'000'000'000);
  EXPECT_CALL(repo_, RemoveProducts(kCustomer, std::vector<std::string>{kId, kOther},
                                    std::optional<types::Timestamp>(version)))
      .WillOnce(Return(2));
  EXPECT_EQ(carts_.RemoveOrderedProducts(kCustomer, {kOther, kId, kOther}, version), 2);
}

}  // namespace
}  // namespace storefront::cart::domain
