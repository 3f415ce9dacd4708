// The gRPC transport over an in-process server, with the saga's ports mocked and an in-memory
// order store: proto <-> domain mapping (money, addresses, cards, timestamps, enums) and status
// codes, without a database.
#include "api/checkout_api.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <limits>

#include "domain/mocks.h"
#include "shared/rpc/status.h"

namespace storefront::checkout::api {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::NiceMock;
using ::testing::Return;
using google::protobuf::util::TimeUtil;

constexpr const char* kLamp = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr std::int64_t kNow = 1'800'000'000;

class CheckoutApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ON_CALL(cart_, GetCart(_)).WillByDefault(Return(domain::CartContents{{{kLamp, 1}}, std::nullopt}));
    ON_CALL(catalog_, BatchGet(_))
        .WillByDefault(Return(std::vector<domain::PricedProduct>{{kLamp, "HOM-LP-1", "Lamp", {2500, "USD"}, true}}));
    ON_CALL(shipping_, Quote(_, _, _))
        .WillByDefault(Return(std::vector<domain::ShippingQuote>{{"standard", "Parcelline", "Standard", {500, "USD"}}}));
    ON_CALL(inventory_, Reserve(_, _, _)).WillByDefault(Return(domain::ReserveResult{"res-1", {}}));
    ON_CALL(payments_, Authorize(_, _, _))
        .WillByDefault(Return(domain::PaymentResult{"pay-1", domain::PaymentStatus::kAuthorized, "", "VISA", "4242"}));
    ON_CALL(shipping_, CreateShipment(_))
        .WillByDefault(
            Return(domain::ShipmentResult{"ship-1", "Parcelline", "PL1", domain::ShipmentStatus::kLabelCreated}));
    grpc::ServerBuilder builder;
    builder.RegisterService(&api_);
    server_ = builder.BuildAndStart();
    stub_ = pb::CheckoutService::NewStub(server_->InProcessChannel({}));
  }
  void TearDown() override { server_->Shutdown(); }

  // A shipped order whose payment was captured.
  std::string CapturedOrder() {
    domain::PlaceOrderCommand command;
    command.idempotency_key = "k1";
    command.customer_id = "customer-1";
    command.customer_email = "ada@example.com";
    command.shipping_address = {"Ada", "1 Road", "", "London", "", "N1 1AA", "GB"};
    command.shipping_option_id = "standard";
    command.card = {"4242424242424242", 12, 2030, "123"};
    auto order = checkout_.PlaceOrder(command);
    orders_.orders[order.id].status = domain::OrderStatus::kShipped;
    orders_.orders[order.id].payment_status = domain::PaymentStatus::kCaptured;
    return order.id;
  }

  domain::InMemoryOrders orders_;
  NiceMock<domain::MockCart> cart_;
  NiceMock<domain::MockCatalog> catalog_;
  NiceMock<domain::MockShipping> shipping_;
  NiceMock<domain::MockInventory> inventory_;
  NiceMock<domain::MockPayments> payments_;
  domain::Checkout checkout_{orders_, cart_, catalog_, shipping_, inventory_, payments_, domain::SagaSettings{},
                             [] { return domain::Timestamp(std::chrono::seconds(kNow)); }};
  CheckoutApi api_{checkout_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::CheckoutService::Stub> stub_;
};

pb::PlaceOrderRequest PlaceRequest(const std::string& key) {
  pb::PlaceOrderRequest request;
  request.set_idempotency_key(key);
  request.set_customer_id("customer-1");
  request.set_customer_email("ada@example.com");
  auto* address = request.mutable_shipping_address();
  address->set_name("Ada");
  address->set_line1("1 Road");
  address->set_line2("Flat 2");
  address->set_city("London");
  address->set_region("Greater London");
  address->set_postal_code("N1 1AA");
  address->set_country("GB");
  request.set_shipping_option_id("standard");
  request.mutable_card()->set_number("4242424242424242");
  request.mutable_card()->set_exp_month(12);
  request.mutable_card()->set_exp_year(2030);
  request.mutable_card()->set_cvc("123");
  return request;
}

TEST_F(CheckoutApiTest, PlaceOrderMapsTheRequestToTheSagaAndAnswersTheConfirmedOrder) {
  pb::PlaceOrderRequest request = PlaceRequest("k-place");
  request.mutable_expected_total()->set_amount_minor(3000);  // 2500 + 500 shipping
  request.mutable_expected_total()->set_currency("USD");
  const domain::Address address{"Ada", "1 Road", "Flat 2", "London", "Greater London", "N1 1AA", "GB"};
  EXPECT_CALL(shipping_, Quote(address, 1, domain::Money{2500, "USD"}))
      .WillOnce(Return(std::vector<domain::ShippingQuote>{{"standard", "Parcelline", "Standard", {500, "USD"}}}));
  domain::Card card;
  EXPECT_CALL(payments_, Authorize(_, _, _))
      .WillOnce(Invoke([&](auto&, const domain::Order& order, const domain::Card& c) {
        card = c;
        EXPECT_EQ(order.customer_email, "ada@example.com");
        EXPECT_EQ(order.shipping_address, address);
        return domain::PaymentResult{"pay-1", domain::PaymentStatus::kAuthorized, "", "VISA", "4242"};
      }));

  grpc::ClientContext context;
  pb::Order order;
  auto status = stub_->PlaceOrder(&context, request, &order);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(card.number, "4242424242424242");
  EXPECT_EQ(card.exp_month, 12);
  EXPECT_EQ(card.exp_year, 2030);
  EXPECT_EQ(card.cvc, "123");

  EXPECT_FALSE(order.id().empty());
  EXPECT_EQ(order.customer_id(), "customer-1");
  EXPECT_EQ(order.status(), pb::ORDER_STATUS_CONFIRMED);
  EXPECT_EQ(order.failure(), pb::ORDER_FAILURE_UNSPECIFIED);
  ASSERT_EQ(order.items_size(), 1);
  EXPECT_EQ(order.items(0).product_id(), kLamp);
  EXPECT_EQ(order.items(0).sku(), "HOM-LP-1");
  EXPECT_EQ(order.items(0).unit_price().amount_minor(), 2500);
  EXPECT_EQ(order.subtotal().amount_minor(), 2500);
  EXPECT_EQ(order.shipping_price().amount_minor(), 500);
  EXPECT_EQ(order.total().amount_minor(), 3000);
  EXPECT_EQ(order.total().currency(), "USD");
  EXPECT_EQ(order.shipping_address().region(), "Greater London");
  EXPECT_EQ(order.shipping_option_id(), "standard");
  EXPECT_EQ(order.payment().payment_id(), "pay-1");
  EXPECT_EQ(order.payment().status(), storefront::payments::v1::PAYMENT_STATUS_AUTHORIZED);
  EXPECT_EQ(order.payment().card_brand(), storefront::payments::v1::CARD_BRAND_VISA);
  EXPECT_EQ(order.payment().card_last4(), "4242");
  EXPECT_EQ(order.shipment().shipment_id(), "ship-1");
  EXPECT_EQ(order.shipment().tracking_number(), "PL1");
  EXPECT_EQ(order.shipment().status(), storefront::shipping::v1::SHIPMENT_STATUS_LABEL_CREATED);
  ASSERT_EQ(order.saga_steps_size(), 8);
  for (const auto& step : order.saga_steps()) EXPECT_EQ(step.state(), pb::SAGA_STEP_STATE_SUCCEEDED) << step.name();
  ASSERT_GE(order.timeline_size(), 1);
  EXPECT_EQ(order.timeline(order.timeline_size() - 1).status(), pb::ORDER_STATUS_CONFIRMED);
  EXPECT_EQ(order.created_at().seconds(), kNow);
}

TEST_F(CheckoutApiTest, PlaceOrderAnswersEachRefusalWithItsStatus) {
  auto place = [&](const pb::PlaceOrderRequest& request) {
    grpc::ClientContext context;
    pb::Order order;
    return stub_->PlaceOrder(&context, request, &order);
  };

  pb::PlaceOrderRequest invalid = PlaceRequest("k-invalid");
  invalid.set_customer_email("not-an-email");
  invalid.mutable_card()->set_number("4242");
  auto status = place(invalid);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "customer_email: must be an email address; payment.card_number: must be 12 to 19 digits");

  ASSERT_TRUE(place(PlaceRequest("k-once")).ok());
  pb::PlaceOrderRequest changed = PlaceRequest("k-once");
  changed.mutable_shipping_address()->set_city("Leeds");
  EXPECT_EQ(place(changed).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  pb::PlaceOrderRequest stale = PlaceRequest("k-stale");
  stale.mutable_expected_total()->set_amount_minor(100);
  stale.mutable_expected_total()->set_currency("USD");
  const grpc::Status refused = place(stale);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(refused.error_message(), "the total is now 30.00 USD; review the order and try again");
  auto total = rpc::DetailOf<pb::TotalChanged>(refused);  // the total to show, for the caller to use
  ASSERT_TRUE(total);
  EXPECT_EQ(total->total().amount_minor(), 3000);  // 2500 + 500 shipping
  EXPECT_EQ(total->total().currency(), "USD");

  EXPECT_CALL(cart_, GetCart(_)).WillOnce(Return(domain::CartContents{}));
  EXPECT_EQ(place(PlaceRequest("k-empty")).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  EXPECT_CALL(cart_, GetCart(_)).WillOnce(::testing::Throw(Unavailable("cart is unavailable")));
  EXPECT_EQ(place(PlaceRequest("k-down")).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(CheckoutApiTest, SalesReportMapsBucketsAndTheRange) {
  const domain::Timestamp day(std::chrono::seconds(kNow - kNow % 86400));
  orders_.sales = {{day, 3, {7500, "USD"}}, {day + std::chrono::hours(24), 0, {0, "USD"}}};
  grpc::ClientContext context;
  pb::SalesReportRequest request;
  request.set_granularity(pb::SALES_GRANULARITY_DAY);
  *request.mutable_from_time() = TimeUtil::SecondsToTimestamp(kNow - 86400);
  *request.mutable_to_time() = TimeUtil::SecondsToTimestamp(kNow);
  pb::SalesReportResponse response;
  auto status = stub_->SalesReport(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.granularity(), pb::SALES_GRANULARITY_DAY);
  EXPECT_EQ(response.currency(), "USD");
  ASSERT_EQ(response.buckets_size(), 2);
  EXPECT_EQ(response.buckets(0).start().seconds(), kNow - kNow % 86400);
  EXPECT_EQ(response.buckets(0).orders(), 3);
  EXPECT_EQ(response.buckets(0).revenue().amount_minor(), 7500);
  EXPECT_EQ(response.buckets(0).revenue().currency(), "USD");
  ASSERT_TRUE(orders_.last_sales);
  EXPECT_EQ(orders_.last_sales->granularity, domain::Granularity::kDay);
  EXPECT_EQ(orders_.last_sales->to, domain::Timestamp(std::chrono::seconds(kNow)));
}

TEST_F(CheckoutApiTest, SalesReportNamesEachMissingOrAbsurdField) {
  grpc::ClientContext context;
  pb::SalesReportResponse response;
  auto status = stub_->SalesReport(&context, pb::SalesReportRequest{}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "granularity: must be HOUR or DAY; from_time: is required; to_time: is required");

  grpc::ClientContext absurd_context;
  pb::SalesReportRequest absurd;
  absurd.set_granularity(pb::SALES_GRANULARITY_HOUR);
  absurd.mutable_from_time()->set_seconds(std::numeric_limits<std::int64_t>::min());
  absurd.mutable_to_time()->set_seconds(kNow);
  status = stub_->SalesReport(&absurd_context, absurd, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("from_time"));
}

TEST_F(CheckoutApiTest, ListOrdersPassesTheCreatedRange) {
  grpc::ClientContext context;
  pb::ListOrdersRequest request;
  *request.mutable_created_after() = TimeUtil::SecondsToTimestamp(kNow - 3600);
  *request.mutable_created_before() = TimeUtil::SecondsToTimestamp(kNow);
  pb::ListOrdersResponse response;
  ASSERT_TRUE(stub_->ListOrders(&context, request, &response).ok());
  ASSERT_TRUE(orders_.last_filter);
  EXPECT_EQ(orders_.last_filter->created_after, domain::Timestamp(std::chrono::seconds(kNow - 3600)));
  EXPECT_EQ(orders_.last_filter->created_before, domain::Timestamp(std::chrono::seconds(kNow)));

  grpc::ClientContext inverted_context;
  std::swap(*request.mutable_created_after(), *request.mutable_created_before());
  EXPECT_EQ(stub_->ListOrders(&inverted_context, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CheckoutApiTest, RefundOrderForwardsTheAmountAndAnswersTheOrder) {
  const std::string id = CapturedOrder();
  EXPECT_CALL(payments_, Refund(_, "pay-1", std::optional<domain::Money>(domain::Money{1000, "USD"}), "scratched"))
      .WillOnce(Return(domain::PaymentResult{"pay-1", domain::PaymentStatus::kPartiallyRefunded, "", "VISA", "4242"}));
  grpc::ClientContext context;
  pb::RefundOrderRequest request;
  request.set_idempotency_key("op-key-1");
  request.set_order_id(id);
  request.mutable_amount()->set_amount_minor(1000);
  request.mutable_amount()->set_currency("USD");
  request.set_reason("scratched");
  pb::Order order;
  auto status = stub_->RefundOrder(&context, request, &order);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(order.status(), pb::ORDER_STATUS_SHIPPED);
  EXPECT_EQ(order.payment().status(), storefront::payments::v1::PAYMENT_STATUS_PARTIALLY_REFUNDED);
}

TEST_F(CheckoutApiTest, RefundingAnUncapturedOrderIsFailedPrecondition) {
  const std::string id = CapturedOrder();
  orders_.orders[id].payment_status = domain::PaymentStatus::kAuthorized;
  grpc::ClientContext context;
  pb::RefundOrderRequest request;
  request.set_idempotency_key("op-key-2");
  request.set_order_id(id);
  pb::Order order;
  EXPECT_EQ(stub_->RefundOrder(&context, request, &order).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace storefront::checkout::api
