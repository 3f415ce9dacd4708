// End to end: the operator console's API on the whole local stack (real PostgreSQL, every
// service, Apache Kafka), driven only through the gateway as an operator would:
// signed in as operator@storefront.local, managing products and stock, looking after a shopper's
// order (cancel, refund) and the system (health, events, sales).
//
// Shipments are held back (SHIPPING_DISPATCH_DELAY_MS of an hour), so a confirmed order stays
// unshipped until the operator moves it on by hand.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "e2e/api_client.h"
#include "e2e/local_stack.h"
#include "shared/events/topics.h"
#include "shared/testing/http_client.h"

namespace storefront::e2e {
namespace {

using nlohmann::json;
using storefront::testing::HttpConnection;
using storefront::testing::HttpResponse;

constexpr const char* kOperatorEmail = "operator@storefront.local";
constexpr const char* kOperatorPassword = "operator-e2e-password";

// The operator, or a shopper, signed in.
class Client : public ApiClient {
 public:
  Client(int port, const std::string& email, const std::string& password) : ApiClient(port) {
    SignIn(email, password);
  }
};

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

class OperatorE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new LocalStack("", {{"STOREFRONT_OPERATOR_PASSWORD", kOperatorPassword},
                                 {"SHIPPING_DISPATCH_DELAY_MS", "3600000"},
                                 {"SHIPPING_DELIVERY_DELAY_MS", "300"},
                                 {"SHIPPING_TICK_MS", "100"}});
    auto page = json::parse(testing::HttpGet(stack_->gateway_port(), "/api/v1/products?limit=100").body);
    for (const auto& product : page["items"]) products_.push_back(product["id"]);
  }
  static void TearDownTestSuite() { delete stack_; }

  static int port() { return stack_->gateway_port(); }
  static Client Operator() { return Client(port(), kOperatorEmail, kOperatorPassword); }
  // A new shopper, registered and signed in.
  static Client Shopper(std::string* email_out = nullptr) {
    const std::string email = "shopper-" + UniqueSuffix() + "@example.com";
    HttpConnection connection(port());
    auto registered = connection.Request(
        "POST", "/api/v1/auth/register",
        json{{"email", email}, {"password", "correct horse battery"}, {"name", "Sam"}}.dump(),
        {{"Content-Type", "application/json"}});
    EXPECT_TRUE(registered && registered->status == 201);
    if (email_out) *email_out = email;
    return Client(port(), email, "correct horse battery");
  }
  static std::string TakeProduct() { return products_.at(next_product_++); }

  // Polls until `check` holds or 60 s pass: what travels through Kafka arrives eventually.
  template <typename Check>
  static bool Eventually(Check check) {
    for (int i = 0; i < 600; ++i) {
      if (check()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return check();
  }

  // Sets a product's available stock through the operator API (a stock count).
  static void SetAvailable(const Client& ops, const std::string& product, int available) {
    auto level = ops.Expect(200, "GET", "/api/v1/admin/inventory/" + product);
    const int delta = available - level["available"].get<int>();
    if (delta == 0) return;
    ops.Expect(201, "POST", "/api/v1/admin/inventory/" + product + "/adjustments",
               json{{"delta", delta}, {"reason", "count"}, {"note", "e2e set-up"}});
  }

  // A confirmed order of `quantity` units of `product` by a new shopper.
  static json PlaceOrder(const std::string& product, int quantity, std::string* email = nullptr) {
    Client shopper = Shopper(email);
    shopper.Expect(200, "POST", "/api/v1/cart/items", json{{"product_id", product}, {"quantity", quantity}});
    auto quotes = shopper.Expect(200, "POST", "/api/v1/shipping/quotes", json{{"address", kAddress}});
    auto order = shopper.Expect(
        201, "POST", "/api/v1/checkout",
        json{{"shipping_address", kAddress},
             {"shipping_option_id", quotes["options"][0]["id"]},
             {"payment", {{"card_number", "4242 4242 4242 4242"}, {"exp_month", 12}, {"exp_year", 2031}, {"cvc", "123"}}}},
        {{"Idempotency-Key", "order-" + UniqueSuffix()}});
    EXPECT_EQ(order["status"], "confirmed") << order.dump();
    return order;
  }

  // Every product, inactive ones too, page by page.
  static std::vector<json> AllProducts(const Client& ops) {
    std::vector<json> all;
    std::string cursor;
    for (int pages = 0; pages < 20; ++pages) {
      auto page = ops.Expect(200, "GET", "/api/v1/admin/products?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor));
      for (const auto& product : page["items"]) all.push_back(product);
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"];
    }
    return all;
  }

  static long SalesOrders(const Client& ops) {
    auto report = ops.Expect(200, "GET", "/api/v1/admin/sales?granularity=hour");
    long orders = 0;
    for (const auto& bucket : report["buckets"]) orders += bucket["orders"].get<long>();
    return orders;
  }

  static LocalStack* stack_;
  static std::vector<std::string> products_;
  static std::size_t next_product_;
};

LocalStack* OperatorE2ETest::stack_ = nullptr;
std::vector<std::string> OperatorE2ETest::products_;
std::size_t OperatorE2ETest::next_product_ = 0;

TEST_F(OperatorE2ETest, AShopperTokenIs403AndNoTokenIs401) {
  Client shopper = Shopper();
  for (const char* path : {"/api/v1/admin/products", "/api/v1/admin/orders", "/api/v1/admin/system/health"}) {
    EXPECT_EQ(shopper.Call("GET", path).status, 403) << path;
    EXPECT_EQ(testing::HttpGet(port(), path).status, 401) << path;
  }
  EXPECT_EQ(Operator().Call("GET", "/api/v1/admin/products").status, 200);
}

TEST_F(OperatorE2ETest, ProductsInactiveOnesIncludedCreatedChangedAndDeactivated) {
  Client ops = Operator();
  // The demo catalog has discontinued products: the admin list shows them, the shop does not.
  std::vector<json> all = AllProducts(ops);
  const auto inactive = std::count_if(all.begin(), all.end(), [](const json& p) { return p["active"] == false; });
  EXPECT_GT(inactive, 0) << "discontinued products are listed";
  EXPECT_GT(all.size(), products_.size());

  const std::string category = json::parse(testing::HttpGet(port(), "/api/v1/categories").body)["items"][0]["id"];
  std::string sku = "E2E-" + UniqueSuffix();
  for (auto& c : sku) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto invalid = ops.Call("POST", "/api/v1/admin/products", json{{"sku", "x"}, {"price", {{"amount_minor", -5}}}});
  ASSERT_EQ(invalid.status, 400) << invalid.body;
  EXPECT_GE(json::parse(invalid.body)["errors"].size(), 4u);

  auto created = ops.Expect(201, "POST", "/api/v1/admin/products",
                            json{{"sku", sku},
                                 {"name", "E2E Lamp"},
                                 {"description", "Made by the operator test"},
                                 {"price", {{"amount_minor", 2599}, {"currency", "USD"}}},
                                 {"category_id", category},
                                 {"image_url", "https://img.example/e2e-lamp.png"}});
  const std::string id = created["id"];
  EXPECT_EQ(created["active"], true);
  EXPECT_EQ(ops.Call("POST", "/api/v1/admin/products", json{{"sku", sku},
                                                              {"name", "Again"},
                                                              {"price", {{"amount_minor", 1}, {"currency", "USD"}}},
                                                              {"category_id", category}})
                .status,
            409)
      << "the SKU is taken";

  auto changed = ops.Expect(200, "PATCH", "/api/v1/admin/products/" + id,
                            json{{"name", "E2E Lamp II"}, {"price", {{"amount_minor", 2999}, {"currency", "USD"}}}});
  EXPECT_EQ(changed["name"], "E2E Lamp II");
  EXPECT_EQ(changed["price"]["amount_minor"], 2999);
  EXPECT_EQ(changed["sku"], sku);
  EXPECT_EQ(ops.Call("PATCH", "/api/v1/admin/products/" + id, json{{"sku", "OTHER-1"}}).status, 400);

  auto deactivated = ops.Expect(200, "POST", "/api/v1/admin/products/" + id + "/deactivate");
  EXPECT_EQ(deactivated["active"], false);
  bool listed = false;
  for (const auto& product : AllProducts(ops)) listed = listed || (product["id"] == id && product["active"] == false);
  EXPECT_TRUE(listed) << "the deactivated product is still in the operators' list";
  // Shoppers no longer see it: its public page is 404, as for an id that names nothing.
  EXPECT_EQ(testing::HttpGet(port(), "/api/v1/products/" + id).status, 404);

  // Its first stock arrives as a restock.
  ops.Expect(201, "POST", "/api/v1/admin/inventory/" + id + "/adjustments",
             json{{"delta", 5}, {"reason", "restock"}, {"note", "first delivery"}});
  EXPECT_EQ(ops.Expect(200, "GET", "/api/v1/admin/inventory/" + id)["on_hand"], 5);
}

TEST_F(OperatorE2ETest, StockLevelsAdjustmentsWithAReasonAndTheirHistory) {
  Client ops = Operator();
  auto levels = ops.Expect(200, "GET", "/api/v1/admin/inventory?limit=100");
  EXPECT_GE(levels["items"].size(), 50u);
  EXPECT_FALSE(ops.Expect(200, "GET", "/api/v1/admin/inventory/low-stock")["items"].empty())
      << "the demo stock has low products";

  const std::string product = TakeProduct();
  auto before = ops.Expect(200, "GET", "/api/v1/admin/inventory/" + product);
  auto result = ops.Expect(201, "POST", "/api/v1/admin/inventory/" + product + "/adjustments",
                           json{{"delta", 12}, {"reason", "restock"}, {"note", "delivery 42"}},
                           {{"Idempotency-Key", "restock-" + UniqueSuffix()}});
  EXPECT_EQ(result["level"]["on_hand"], before["on_hand"].get<int>() + 12);
  EXPECT_EQ(result["adjustment"]["actor"], kOperatorEmail);
  EXPECT_EQ(result["adjustment"]["reason"], "restock");
  ops.Expect(201, "POST", "/api/v1/admin/inventory/" + product + "/adjustments",
             json{{"delta", -2}, {"reason", "damaged"}, {"note", "dropped"}});
  auto after = ops.Expect(200, "GET", "/api/v1/admin/inventory/" + product);
  EXPECT_EQ(after["on_hand"], before["on_hand"].get<int>() + 10);

  auto history = ops.Expect(200, "GET", "/api/v1/admin/inventory/" + product + "/adjustments");
  ASSERT_GE(history["items"].size(), 2u);
  EXPECT_EQ(history["items"][0]["reason"], "damaged") << "newest first";
  EXPECT_EQ(history["items"][0]["delta"], -2);
  EXPECT_EQ(history["items"][1]["note"], "delivery 42");

  auto wrong = ops.Call("POST", "/api/v1/admin/inventory/" + product + "/adjustments",
                        json{{"delta", 5}, {"reason", "damaged"}});
  EXPECT_EQ(wrong.status, 400) << "damaged stock goes down, never up: " << wrong.body;
}

TEST_F(OperatorE2ETest, AShoppersOrderIsSeenSoldAnnouncedAndCancelledWithStockBackAndPaymentVoided) {
  Client ops = Operator();
  const std::string product = TakeProduct();
  SetAvailable(ops, product, 8);
  const long sales_before = SalesOrders(ops);
  std::string email;
  auto placed = PlaceOrder(product, 3, &email);
  const std::string id = placed["order_id"];
  EXPECT_TRUE(Eventually([&] {
    return ops.Expect(200, "GET", "/api/v1/admin/inventory/" + product)["available"] == 5;
  }));

  // In the operators' list, with the customer and the saga's steps.
  auto list = ops.Expect(200, "GET", "/api/v1/admin/orders?customer_email=" + email);
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  auto order = list["items"][0];
  EXPECT_EQ(order["order_id"], id);
  EXPECT_EQ(order["customer_email"], email);
  EXPECT_EQ(order["status"], "confirmed");
  std::vector<std::string> steps;
  for (const auto& step : order["saga_steps"]) steps.push_back(step["name"]);
  EXPECT_EQ(steps, (std::vector<std::string>{"load_cart", "price_items", "quote_shipping", "reserve_inventory",
                                             "authorize_payment", "create_shipment", "commit_stock", "confirm"}));
  EXPECT_EQ(ops.Expect(200, "GET", "/api/v1/admin/orders?status=confirmed&customer_email=" + email)["items"].size(), 1u);
  EXPECT_TRUE(ops.Expect(200, "GET", "/api/v1/admin/orders?status=shipped&customer_email=" + email)["items"].empty());

  // Sold: the sales report counts it.
  EXPECT_EQ(SalesOrders(ops), sales_before + 1);

  // Announced: OrderPlaced and OrderConfirmed are on the order topic.
  std::set<std::string> types;
  EXPECT_TRUE(Eventually([&] {
    types.clear();
    auto events = ops.Expect(200, "GET", "/api/v1/admin/events?topic=storefront.checkout.order.v1&limit=200");
    for (const auto& event : events["items"]) {
      if (event["aggregate_id"] == id) types.insert(event["event_type"].get<std::string>());
    }
    return types.count("storefront.checkout.order.confirmed.v1") == 1;
  })) << "events of " << id;
  EXPECT_TRUE(types.count("storefront.checkout.order.placed.v1"));

  // Refunding an uncaptured (unshipped) order is refused; cancelling it is not.
  auto refund = ops.Call("POST", "/api/v1/admin/orders/" + id + "/refund", json::object(),
                         {{"Idempotency-Key", "refund-" + id}});
  EXPECT_EQ(refund.status, 409) << refund.body;
  auto cancelled = ops.Expect(200, "POST", "/api/v1/admin/orders/" + id + "/cancel", json{{"reason", "out of paint"}});
  EXPECT_EQ(cancelled["status"], "cancelled");
  EXPECT_EQ(cancelled["payment"]["status"], "voided");
  EXPECT_EQ(cancelled["timeline"].back()["note"], "Order cancelled: out of paint");
  EXPECT_TRUE(Eventually([&] {
    return ops.Expect(200, "GET", "/api/v1/admin/inventory/" + product)["available"] == 8;
  })) << "stock back";
  auto again = ops.Expect(200, "GET", "/api/v1/admin/orders/" + id);
  EXPECT_EQ(again["payment"]["status"], "voided");
  EXPECT_EQ(SalesOrders(ops), sales_before) << "a cancelled order is no sale";
}

TEST_F(OperatorE2ETest, AShipmentMovedOnByHandIsCapturedCannotBeCancelledAndIsRefunded) {
  Client ops = Operator();
  const std::string product = TakeProduct();
  SetAvailable(ops, product, 5);
  auto placed = PlaceOrder(product, 1);
  const std::string id = placed["order_id"];
  const std::string shipment = placed["shipment"]["shipment_id"];

  auto shipments = ops.Expect(200, "GET", "/api/v1/admin/shipments?status=label_created&limit=100");
  bool waiting = false;
  for (const auto& s : shipments["items"]) waiting = waiting || s["id"] == shipment;
  EXPECT_TRUE(waiting) << "held back by SHIPPING_DISPATCH_DELAY_MS";
  auto dispatched = ops.Expect(200, "POST", "/api/v1/admin/shipments/" + shipment + "/advance",
                               json{{"to_status", "dispatched"}});
  EXPECT_EQ(dispatched["status"], "dispatched");
  EXPECT_TRUE(dispatched["dispatched_at"].is_string());

  // Payments capture on dispatch; checkout hears of both.
  json order;
  EXPECT_TRUE(Eventually([&] {
    order = ops.Expect(200, "GET", "/api/v1/admin/orders/" + id);
    return order["payment"]["status"] == "captured" && order["status"] != "confirmed";
  })) << order.dump();
  EXPECT_EQ(ops.Call("POST", "/api/v1/admin/orders/" + id + "/cancel").status, 409) << "shipped: refund instead";

  const long total = placed["total"]["amount_minor"];
  const std::string key = "refund-" + id;
  auto partial = ops.Expect(200, "POST", "/api/v1/admin/orders/" + id + "/refund",
                            json{{"amount", {{"amount_minor", 100}, {"currency", "USD"}}}, {"reason", "scratch"}},
                            {{"Idempotency-Key", key + "-1"}});
  EXPECT_EQ(partial["payment"]["status"], "partially_refunded");
  EXPECT_NE(partial["status"], "refunded");
  auto too_much = ops.Call("POST", "/api/v1/admin/orders/" + id + "/refund",
                           json{{"amount", {{"amount_minor", total}, {"currency", "USD"}}}},
                           {{"Idempotency-Key", key + "-2"}});
  EXPECT_EQ(too_much.status, 400) << too_much.body;
  auto rest = ops.Expect(200, "POST", "/api/v1/admin/orders/" + id + "/refund", json{{"reason", "lost in transit"}},
                         {{"Idempotency-Key", key + "-3"}});
  EXPECT_EQ(rest["status"], "refunded");
  EXPECT_EQ(rest["payment"]["status"], "refunded");
  EXPECT_EQ(rest["timeline"].back()["status"], "refunded");
  // A retry of the same refund answers the same, and pays nothing more.
  auto retry = ops.Expect(200, "POST", "/api/v1/admin/orders/" + id + "/refund", json{{"reason", "lost in transit"}},
                          {{"Idempotency-Key", key + "-3"}});
  EXPECT_EQ(retry["status"], "refunded");
}

TEST_F(OperatorE2ETest, SystemHealthListsEveryComponentOkAndTheTopics) {
  Client ops = Operator();
  auto health = ops.Expect(200, "GET", "/api/v1/admin/system/health");
  EXPECT_EQ(health["status"], "ok") << health.dump(2);
  std::set<std::string> names;
  for (const auto& component : health["components"]) {
    names.insert(component["name"].get<std::string>());
    EXPECT_EQ(component["status"], "ok") << component.dump();
  }
  EXPECT_EQ(names, (std::set<std::string>{"catalog", "cart", "checkout", "payments", "inventory", "shipping",
                                          "postgres", "kafka"}));
  // Every topic of the store, the replay requests and the dead letters included, and no other.
  auto topics = ops.Expect(200, "GET", "/api/v1/admin/topics");
  std::set<std::string> listed, expected;
  for (const auto& topic : topics["items"]) listed.insert(topic["name"].get<std::string>());
  for (const auto& topic : events::kTopics) expected.insert(std::string(topic.name));
  EXPECT_EQ(listed, expected) << topics.dump(2);
  EXPECT_TRUE(ops.Expect(200, "GET", "/api/v1/admin/dead-letters")["items"].is_array());
}

}  // namespace
}  // namespace storefront::e2e
