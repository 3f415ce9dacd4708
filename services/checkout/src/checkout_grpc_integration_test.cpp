// The checkout service as it runs: App (pool, migrations, gRPC server with health, recovery loop)
// against a real PostgreSQL, its five upstreams in-process fakes (clients/fake_services.h) served
// by storefront::rpc::Server on a free port, called through a generated stub.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "app.h"
#include "testing/fake_services.h"
#include "shared/rpc/client.h"
#include "shared/testing/postgres.h"

namespace storefront::checkout {
namespace {

namespace pb = storefront::checkout::v1;
using storefront::testing::SharedPostgres;
using ::testing::HasSubstr;

constexpr const char* kLamp = "a0000000-0000-4000-8000-000000000001";
constexpr const char* kMug = "a0000000-0000-4000-8000-000000000002";
// 7999 + 2 * 1250 for the goods, 599 for standard shipping.
constexpr std::int64_t kTotal = 7999 + 2 * 1250 + 599;

class CheckoutGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_.Put(kLamp, "HOM-LT-0006", "Ceramic Table Lamp", 7999);
    catalog_.Put(kMug, "HOM-MG-0001", "Stoneware Mug", 1250);
    cart_.Put(Customer(), kLamp, 1);
    cart_.Put(Customer(), kMug, 2);
    upstreams_ = std::make_unique<rpc::Server>(rpc::ServerOptions{.listen_address = "127.0.0.1:0"});
    upstreams_->AddService(&cart_);
    upstreams_->AddService(&catalog_);
    upstreams_->AddService(&shipping_);
    upstreams_->AddService(&inventory_);
    upstreams_->AddService(&payments_);
    const std::string upstream = "127.0.0.1:" + std::to_string(upstreams_->Start());

    app_ = std::make_unique<App>(Config::FromEnv(config::Env::FromMap({
        {"GRPC_PLAINTEXT", "on"},
        {"DATABASE_URL", SharedPostgres().Dsn("checkout")},
        {"GRPC_LISTEN_ADDR", "127.0.0.1:0"},
        {"CART_ADDR", upstream},
        {"CATALOG_ADDR", upstream},
        {"SHIPPING_ADDR", upstream},
        {"INVENTORY_ADDR", upstream},
        {"PAYMENTS_ADDR", upstream},
        {"UPSTREAM_TIMEOUT_MS", "2000"},
    })));
    int port = app_->Start();
    channel_ = rpc::MakeChannel("127.0.0.1:" + std::to_string(port));
    stub_ = pb::CheckoutService::NewStub(channel_);
  }
  void TearDown() override {
    app_->Shutdown();
    upstreams_->Shutdown();
  }

  static std::string Customer() {
    return (std::string("grpc-") + ::testing::UnitTest::GetInstance()->current_test_info()->name()).substr(0, 64);
  }
  std::unique_ptr<grpc::ClientContext> Context() { return rpc::NewContext(std::chrono::seconds(10), "test"); }

  static pb::PlaceOrderRequest Request(const std::string& key, const std::string& card = "4242424242424242") {
    pb::PlaceOrderRequest request;
    request.set_idempotency_key(key);
    request.set_customer_id(Customer());
    request.set_customer_email("ada@example.com");
    auto* address = request.mutable_shipping_address();
    address->set_name("Ada Lovelace");
    address->set_line1("12 St James's Square");
    address->set_city("London");
    address->set_postal_code("SW1Y 4JH");
    address->set_country("GB");
    request.set_shipping_option_id("standard");
    request.mutable_card()->set_number(card);
    request.mutable_card()->set_exp_month(12);
    request.mutable_card()->set_exp_year(2030);
    request.mutable_card()->set_cvc("123");
    return request;
  }
  grpc::Status Place(const pb::PlaceOrderRequest& request, pb::Order* order) {
    return stub_->PlaceOrder(Context().get(), request, order);
  }
  grpc::Status Get(const std::string& order_id, const std::string& customer_id, pb::Order* order) {
    pb::GetOrderRequest request;
    request.set_order_id(order_id);
    request.set_customer_id(customer_id);
    return stub_->GetOrder(Context().get(), request, order);
  }

  testing::FakeCart cart_;
  testing::FakeCatalog catalog_;
  testing::FakeShipping shipping_;
  testing::FakeInventory inventory_;
  testing::FakePayments payments_;
  std::unique_ptr<rpc::Server> upstreams_;
  std::unique_ptr<App> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::CheckoutService::Stub> stub_;
};

TEST_F(CheckoutGrpcTest, ServesHealth) { EXPECT_TRUE(rpc::CheckHealth(*channel_, std::chrono::seconds(2))); }

TEST_F(CheckoutGrpcTest, APlacedOrderIsConfirmedThroughEveryServiceAndCanBeReadAndListed) {
  pb::Order placed;
  auto status = Place(Request("key-confirmed"), &placed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(placed.status(), pb::ORDER_STATUS_CONFIRMED);
  EXPECT_EQ(placed.total().amount_minor(), kTotal);
  EXPECT_EQ(placed.total().currency(), "USD");
  ASSERT_EQ(placed.items_size(), 2);
  EXPECT_EQ(placed.items(0).name(), "Ceramic Table Lamp");
  EXPECT_EQ(placed.items(1).line_total().amount_minor(), 2 * 1250);
  EXPECT_EQ(placed.payment().status(), storefront::payments::v1::PAYMENT_STATUS_AUTHORIZED);
  EXPECT_EQ(placed.payment().card_last4(), "4242");
  EXPECT_EQ(placed.shipment().status(), storefront::shipping::v1::SHIPMENT_STATUS_LABEL_CREATED);

  // Each service saw its step for this order.
  EXPECT_FALSE(inventory_.reservation_of(placed.id()).empty());
  auto for_order = [&](const auto& request) { return request.order_id() == placed.id(); };
  auto authorized = payments_.authorized();
  EXPECT_EQ(std::count_if(authorized.begin(), authorized.end(), for_order), 1);
  auto shipments = shipping_.created();
  EXPECT_EQ(std::count_if(shipments.begin(), shipments.end(), for_order), 1);

  pb::Order read;
  ASSERT_TRUE(Get(placed.id(), Customer(), &read).ok());
  EXPECT_EQ(read.id(), placed.id());
  EXPECT_EQ(read.status(), pb::ORDER_STATUS_CONFIRMED);
  EXPECT_EQ(read.items_size(), 2);
  EXPECT_EQ(read.shipment().tracking_number(), placed.shipment().tracking_number());
  EXPECT_EQ(Get(placed.id(), "someone-else", &read).error_code(), grpc::StatusCode::NOT_FOUND);

  // A second order, then both listed newest first, one per page.
  pb::Order second;
  ASSERT_TRUE(Place(Request("key-confirmed-2"), &second).ok());
  std::vector<std::string> listed;
  pb::ListOrdersRequest list;
  list.set_customer_id(Customer());
  list.set_page_size(1);
  for (int page = 0; page < 3; ++page) {
    pb::ListOrdersResponse response;
    auto list_status = stub_->ListOrders(Context().get(), list, &response);
    ASSERT_TRUE(list_status.ok()) << list_status.error_message();
    for (const auto& order : response.orders()) listed.push_back(order.id());
    if (response.next_page_token().empty()) break;
    list.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(listed, (std::vector<std::string>{second.id(), placed.id()}));
}

TEST_F(CheckoutGrpcTest, ADeclinedCardEndsFailedWithTheStockReleased) {
  pb::Order order;
  auto status = Place(Request("key-declined", testing::kDeclinedCard), &order);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(order.status(), pb::ORDER_STATUS_FAILED);
  EXPECT_EQ(order.failure(), pb::ORDER_FAILURE_PAYMENT_DECLINED);
  EXPECT_THAT(order.failure_reason(), HasSubstr("card_declined"));

  const std::string reservation = inventory_.reservation_of(order.id());
  ASSERT_FALSE(reservation.empty());
  auto released = inventory_.released();
  auto release = std::find_if(released.begin(), released.end(),
                              [&](const auto& r) { return r.reservation_id() == reservation; });
  ASSERT_NE(release, released.end()) << "the reservation was released";
  EXPECT_EQ(release->reason(), storefront::inventory::v1::RELEASE_REASON_CHECKOUT_FAILED);
  auto shipments = shipping_.created();
  EXPECT_TRUE(std::none_of(shipments.begin(), shipments.end(), [&](auto& s) { return s.order_id() == order.id(); }))
      << "nothing is shipped";

  pb::Order read;
  ASSERT_TRUE(Get(order.id(), Customer(), &read).ok());
  EXPECT_EQ(read.status(), pb::ORDER_STATUS_FAILED);
}

TEST_F(CheckoutGrpcTest, PlacingAgainWithTheSameKeyAnswersTheSameOrder) {
  pb::Order first, again;
  ASSERT_TRUE(Place(Request("key-replayed"), &first).ok());
  auto status = Place(Request("key-replayed"), &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(again.status(), pb::ORDER_STATUS_CONFIRMED);
  auto authorized = payments_.authorized();
  EXPECT_EQ(std::count_if(authorized.begin(), authorized.end(), [&](auto& a) { return a.order_id() == first.id(); }), 1)
      << "charged once";

  pb::PlaceOrderRequest changed = Request("key-replayed");
  changed.set_shipping_option_id("express");
  EXPECT_EQ(Place(changed, &again).error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

// Deadline propagation through the saga: the gateway gives PlaceOrder a budget, and each step's
// call gets what is left of it, not checkout's own 2 s (UPSTREAM_TIMEOUT_MS) afresh.
TEST_F(CheckoutGrpcTest, EveryStepOfTheSagaGetsWhatIsLeftOfTheCallersBudget) {
  pb::Order placed;
  auto context = rpc::NewContext(std::chrono::milliseconds(1200), "budget");
  auto status = stub_->PlaceOrder(context.get(), Request("key-budget"), &placed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(placed.status(), pb::ORDER_STATUS_CONFIRMED);
  for (auto budget : {inventory_.last_budget(), payments_.last_budget(), shipping_.last_budget()}) {
    EXPECT_GT(budget.count(), 0);
    EXPECT_LE(budget.count(), 1220) << "a step got its own timeout instead of the caller's remaining 1200 ms";
  }
}

// The saga's clients pass checkout's breakers: payments failing every call opens checkout's
// breaker towards it (BREAKER_MINIMUM_CALLS is 10 by default; the saga and its recovery both call).
TEST_F(CheckoutGrpcTest, PaymentsFailingOpensCheckoutsBreakerTowardsIt) {
  payments_.FailWith({grpc::StatusCode::UNAVAILABLE, "payments down"});
  for (int i = 0; i < 12; ++i) {
    pb::Order order;
    Place(Request("key-breaker-" + std::to_string(i)), &order);
  }
  bool open = false;
  for (const auto& guard : rpc::SnapshotGuards()) {
    if (guard.upstream == "payments" && guard.breaker.state != rpc::BreakerState::kClosed) open = true;
  }
  EXPECT_TRUE(open);
  payments_.Recover();
}

TEST(CheckoutConfigTest, DefaultsAndEveryProblemNamedAtOnce) {
  auto config = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://checkout@localhost/storefront"}}));
  EXPECT_EQ(config.grpc_address, "127.0.0.1:50053");
  EXPECT_EQ(config.cart_address, "127.0.0.1:50052");
  EXPECT_EQ(config.payments_address, "127.0.0.1:50054");
  EXPECT_EQ(config.upstream_timeout, std::chrono::milliseconds(3000));
  EXPECT_EQ(config.recovery_interval, std::chrono::milliseconds(5000));
  try {
    Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"CART_ADDR", "nowhere"}, {"SAGA_LEASE_MS", "1"}}));
    FAIL() << "expected a configuration error";
  } catch (const config::ConfigError& error) {
    std::string message = error.what();
    EXPECT_THAT(message, HasSubstr("DATABASE_URL is required"));
    EXPECT_THAT(message, HasSubstr("CART_ADDR"));
    EXPECT_THAT(message, HasSubstr("SAGA_LEASE_MS"));
  }
  // A lease no longer than a call's deadline would let recovery take slow sagas over mid-call.
  try {
    Config::FromEnv(config::Env::FromMap(
        {{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}, {"SAGA_LEASE_MS", "3000"}, {"UPSTREAM_TIMEOUT_MS", "3000"}}));
    FAIL() << "expected a configuration error";
  } catch (const config::ConfigError& error) {
    EXPECT_THAT(std::string(error.what()), HasSubstr("SAGA_LEASE_MS (3000) must be longer than UPSTREAM_TIMEOUT_MS"));
  }
}

}  // namespace
}  // namespace storefront::checkout
