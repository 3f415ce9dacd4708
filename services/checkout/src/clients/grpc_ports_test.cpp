// The saga's gRPC adapters against in-process fakes of the five services: what each sends, how
// the answers become domain values, and how failed statuses become domain errors.
#include "clients/grpc_ports.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "testing/fake_services.h"
#include "shared/errors/errors.h"

namespace storefront::checkout::clients {
namespace {

using ::testing::HasSubstr;
namespace paymentspb = ::storefront::payments::v1;
namespace shippingpb = ::storefront::shipping::v1;
namespace inventorypb = ::storefront::inventory::v1;

constexpr const char* kLamp = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kMug = "1c7f7b4f-9e63-4d2f-8b1c-3a2a1d8cab22";
constexpr const char* kOrder = "00000000-0000-4000-8000-000000000001";
constexpr std::chrono::milliseconds kTimeout{300};

class GrpcPortsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&cart_fake_);
    builder.RegisterService(&catalog_fake_);
    builder.RegisterService(&shipping_fake_);
    builder.RegisterService(&inventory_fake_);
    builder.RegisterService(&payments_fake_);
    server_ = builder.BuildAndStart();
    channel_ = server_->InProcessChannel({});
  }
  void TearDown() override {
    for (testing::Switchboard* fake : std::initializer_list<testing::Switchboard*>{
             &cart_fake_, &catalog_fake_, &shipping_fake_, &inventory_fake_, &payments_fake_}) {
      fake->Release();
    }
    server_->Shutdown();
  }

  domain::Order Order() const {
    domain::Order order;
    order.id = kOrder;
    order.customer_id = "customer-1";
    order.shipping_option_id = "standard";
    order.shipping_address = {"Ada", "1 Road", "Flat 2", "London", "Greater London", "N1 1AA", "GB"};
    order.items = {{kLamp, "HOM-LP-1", "Lamp", 2, {2500, "USD"}, {5000, "USD"}}};
    order.total = {5599, "USD"};
    return order;
  }

  testing::FakeCart cart_fake_;
  testing::FakeCatalog catalog_fake_;
  testing::FakeShipping shipping_fake_;
  testing::FakeInventory inventory_fake_;
  testing::FakePayments payments_fake_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;  // to all five fakes; each test builds the adapters it needs
};

TEST_F(GrpcPortsTest, TheCartComesBackAsLinesWithItsVersionAndTheCallCarriesTheCustomerAsRequestId) {
  cart_fake_.Put("customer-1", kLamp, 2);
  cart_fake_.Put("customer-1", kMug, 1);  // the fake's updated_at: 1'800'000'002 s
  rpc::Client<storefront::cart::v1::CartService> client(channel_, kTimeout);
  GrpcCart cart(client);
  auto contents = cart.GetCart("customer-1");
  const auto& lines = contents.lines;
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].product_id, kLamp);
  EXPECT_EQ(lines[0].quantity, 2);
  EXPECT_EQ(lines[1].product_id, kMug);
  ASSERT_TRUE(contents.version.has_value());
  EXPECT_EQ(types::ToMicros(*contents.version), 1'800'000'002'000'000);
  EXPECT_EQ(cart_fake_.last_request_id(), "customer-1");
  auto never_written = cart.GetCart("customer-2");
  EXPECT_TRUE(never_written.lines.empty());
  EXPECT_FALSE(never_written.version.has_value()) << "a cart never written has no version";
}

TEST_F(GrpcPortsTest, TheCatalogAnswersPricesAndWhetherAProductIsStillSold) {
  catalog_fake_.Put(kLamp, "HOM-LP-1", "Lamp", 2500);
  catalog_fake_.Put(kMug, "HOM-MG-1", "Mug", 900, "EUR", /*active=*/false);
  rpc::Client<storefront::catalog::v1::CatalogService> client(channel_, kTimeout);
  GrpcCatalog catalog(client);
  auto products = catalog.BatchGet({kLamp, kMug, "99999999-9999-4999-8999-999999999999"});
  ASSERT_EQ(products.size(), 2u) << "an unknown id is simply absent";
  EXPECT_EQ(products[0].id, kLamp);
  EXPECT_EQ(products[0].sku, "HOM-LP-1");
  EXPECT_EQ(products[0].name, "Lamp");
  EXPECT_EQ(products[0].price, (domain::Money{2500, "USD"}));
  EXPECT_TRUE(products[0].active);
  EXPECT_EQ(products[1].price, (domain::Money{900, "EUR"}));
  EXPECT_FALSE(products[1].active);
}

TEST_F(GrpcPortsTest, ShippingQuotesCreatesAndCancels) {
  rpc::Client<shippingpb::ShippingService> client(channel_, kTimeout);
  GrpcShipping shipping(client);
  const domain::Order order = Order();

  auto quotes = shipping.Quote(order.shipping_address, 2, {5000, "USD"});
  ASSERT_EQ(quotes.size(), 1u);
  EXPECT_EQ(quotes[0].id, "standard");
  EXPECT_EQ(quotes[0].carrier, "Parcelline");
  EXPECT_EQ(quotes[0].service, "Standard");
  EXPECT_EQ(quotes[0].price, (domain::Money{599, "USD"}));
  auto asked = shipping_fake_.last_quote_request();
  EXPECT_EQ(asked.item_count(), 2);
  EXPECT_EQ(asked.subtotal().amount_minor(), 5000);
  EXPECT_EQ(asked.address().line2(), "Flat 2");
  EXPECT_EQ(asked.address().region(), "Greater London");
  EXPECT_EQ(asked.address().country(), "GB");

  auto shipment = shipping.CreateShipment(order);
  EXPECT_FALSE(shipment.shipment_id.empty());
  EXPECT_EQ(shipment.carrier, "Parcelline");
  EXPECT_FALSE(shipment.tracking_number.empty());
  EXPECT_EQ(shipment.status, domain::ShipmentStatus::kLabelCreated);
  ASSERT_EQ(shipping_fake_.created().size(), 1u);
  const auto created = shipping_fake_.created()[0];
  EXPECT_EQ(created.order_id(), kOrder);
  EXPECT_EQ(created.customer_id(), "customer-1");
  EXPECT_EQ(created.shipping_option_id(), "standard");
  EXPECT_EQ(created.address().postal_code(), "N1 1AA");
  ASSERT_EQ(created.items_size(), 1);
  EXPECT_EQ(created.items(0).sku(), "HOM-LP-1");
  EXPECT_EQ(created.items(0).quantity(), 2);
  EXPECT_EQ(shipping_fake_.last_request_id(), kOrder);

  shipping.CancelShipment(shipment.shipment_id, std::string(600, 'x'));
  ASSERT_EQ(shipping_fake_.cancelled().size(), 1u);
  EXPECT_EQ(shipping_fake_.cancelled()[0].id(), shipment.shipment_id);
  EXPECT_EQ(shipping_fake_.cancelled()[0].reason().size(), 500u) << "shipping takes at most 500 characters";
}

TEST_F(GrpcPortsTest, InventoryReservesReportsShortagesAndReleasesWithTheReason) {
  rpc::Client<inventorypb::InventoryService> client(channel_, kTimeout);
  GrpcInventory inventory(client);

  auto reserved = inventory.Reserve(kOrder, {{kLamp, 2}}, 900);
  EXPECT_FALSE(reserved.reservation_id.empty());
  EXPECT_TRUE(reserved.shortages.empty());
  ASSERT_EQ(inventory_fake_.reserved().size(), 1u);
  EXPECT_EQ(inventory_fake_.reserved()[0].order_id(), kOrder);
  EXPECT_EQ(inventory_fake_.reserved()[0].ttl_seconds(), 900);
  EXPECT_EQ(inventory_fake_.reserved()[0].lines(0).quantity(), 2);

  inventory_fake_.ShortOf(kLamp, 1);
  auto short_of = inventory.Reserve(kOrder, {{kLamp, 2}, {kMug, 1}}, 900);
  EXPECT_TRUE(short_of.reservation_id.empty());
  ASSERT_EQ(short_of.shortages.size(), 1u);
  EXPECT_EQ(short_of.shortages[0].product_id, kLamp);
  EXPECT_EQ(short_of.shortages[0].requested, 2);
  EXPECT_EQ(short_of.shortages[0].available, 1);

  inventory.Release(reserved.reservation_id, /*cancelled=*/false);
  inventory.Release(reserved.reservation_id, /*cancelled=*/true);
  auto released = inventory_fake_.released();
  ASSERT_EQ(released.size(), 2u);
  EXPECT_EQ(released[0].reservation_id(), reserved.reservation_id);
  EXPECT_EQ(released[0].reason(), inventorypb::RELEASE_REASON_CHECKOUT_FAILED);
  EXPECT_EQ(released[1].reason(), inventorypb::RELEASE_REASON_ORDER_CANCELLED);
}

TEST_F(GrpcPortsTest, PaymentsAuthorizeDeclineFindVoidAndRefundAsTypedStatuses) {
  rpc::Client<paymentspb::PaymentsService> client(channel_, kTimeout);
  GrpcPayments payments(client);
  domain::Order order = Order();

  auto authorized = payments.Authorize("checkout:o1:authorize", order, {"4242424242424242", 12, 2030, "123"});
  EXPECT_EQ(authorized.status, domain::PaymentStatus::kAuthorized);
  EXPECT_EQ(authorized.card_brand, "VISA");
  EXPECT_EQ(authorized.card_last4, "4242");
  EXPECT_TRUE(authorized.decline_code.empty());
  ASSERT_EQ(payments_fake_.authorized().size(), 1u);
  const auto sent = payments_fake_.authorized()[0];
  EXPECT_EQ(sent.idempotency_key(), "checkout:o1:authorize");
  EXPECT_EQ(sent.order_id(), kOrder);
  EXPECT_EQ(sent.customer_id(), "customer-1");
  EXPECT_EQ(sent.amount().amount_minor(), 5599);
  EXPECT_EQ(sent.card().exp_month(), 12);
  EXPECT_EQ(sent.card().exp_year(), 2030);
  EXPECT_EQ(sent.card().cvc(), "123");

  order.id = "00000000-0000-4000-8000-000000000002";
  auto declined = payments.Authorize("checkout:o2:authorize", order, {testing::kDeclinedCard, 12, 2030, "123"});
  EXPECT_EQ(declined.status, domain::PaymentStatus::kDeclined);
  EXPECT_EQ(declined.decline_code, "card_declined");
  EXPECT_FALSE(payments.FindAuthorized(order.id)) << "a declined payment is no authorization";

  auto found = payments.FindAuthorized(kOrder);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->payment_id, authorized.payment_id);

  auto voided = payments.Void("checkout:o1:void", authorized.payment_id);
  EXPECT_EQ(voided.status, domain::PaymentStatus::kVoided);
  EXPECT_EQ(payments_fake_.voided()[0].idempotency_key(), "checkout:o1:void");
  EXPECT_FALSE(payments.FindAuthorized(kOrder)) << "voided";

  auto partly = payments.Refund("refund-1", authorized.payment_id, domain::Money{1000, "USD"}, "scratched");
  EXPECT_EQ(partly.status, domain::PaymentStatus::kPartiallyRefunded);
  auto all = payments.Refund("refund-2", authorized.payment_id, std::nullopt, "");
  EXPECT_EQ(all.status, domain::PaymentStatus::kRefunded);
  auto refunds = payments_fake_.refunded();
  ASSERT_EQ(refunds.size(), 2u);
  EXPECT_EQ(refunds[0].amount().amount_minor(), 1000);
  EXPECT_EQ(refunds[0].reason(), "scratched");
  EXPECT_FALSE(refunds[1].has_amount()) << "no amount: everything that is left";
}

TEST_F(GrpcPortsTest, ARefundBeyondWhatIsLeftKeepsPaymentsFieldName) {
  payments_fake_.FailWith({grpc::StatusCode::INVALID_ARGUMENT, "amount.amount_minor: must not exceed 599"});
  rpc::Client<paymentspb::PaymentsService> client(channel_, kTimeout);
  GrpcPayments payments(client);
  try {
    payments.Refund("refund-1", "pay-1", domain::Money{100000, "USD"}, "");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& error) {
    ASSERT_EQ(error.violations().size(), 1u);
    EXPECT_EQ(error.violations()[0].field, "amount.amount_minor");
    EXPECT_EQ(error.violations()[0].description, "must not exceed 599");
  }
}

TEST_F(GrpcPortsTest, FailedStatusesBecomeDomainErrors) {
  rpc::Client<storefront::cart::v1::CartService> client(channel_, kTimeout);
  GrpcCart cart(client);
  auto failing_with = [&](grpc::StatusCode code) {
    cart_fake_.FailWith({code, "it went wrong"});
    return [&] { cart.GetCart("customer-1"); };
  };
  EXPECT_THROW(failing_with(grpc::StatusCode::NOT_FOUND)(), NotFound);
  EXPECT_THROW(failing_with(grpc::StatusCode::UNAVAILABLE)(), Unavailable);
  EXPECT_THROW(failing_with(grpc::StatusCode::DEADLINE_EXCEEDED)(), Unavailable);
  EXPECT_THROW(failing_with(grpc::StatusCode::RESOURCE_EXHAUSTED)(), Unavailable);
  EXPECT_THROW(failing_with(grpc::StatusCode::INVALID_ARGUMENT)(), InvalidArgument);
  EXPECT_THROW(failing_with(grpc::StatusCode::ALREADY_EXISTS)(), AlreadyExists);
  EXPECT_THROW(failing_with(grpc::StatusCode::FAILED_PRECONDITION)(), FailedPrecondition);
  EXPECT_THROW(failing_with(grpc::StatusCode::ABORTED)(), Aborted);
  EXPECT_THROW(failing_with(grpc::StatusCode::INTERNAL)(), Unavailable) << "anything else: the dependency failed";

  cart_fake_.FailWith({grpc::StatusCode::NOT_FOUND, "no such cart"});
  try {
    cart.GetCart("customer-1");
    FAIL() << "expected NotFound";
  } catch (const NotFound& error) {
    EXPECT_STREQ(error.what(), "cart: no such cart") << "names the service";
  }
  cart_fake_.Recover();
  EXPECT_NO_THROW(cart.GetCart("customer-1"));
}

TEST_F(GrpcPortsTest, AServiceThatDoesNotAnswerBeforeTheDeadlineIsUnavailable) {
  inventory_fake_.Hang();  // the call can only end by its deadline
  rpc::Client<inventorypb::InventoryService> client(channel_, kTimeout);
  GrpcInventory inventory(client);
  try {
    inventory.Reserve(kOrder, {{kLamp, 1}}, 900);
    FAIL() << "expected Unavailable";
  } catch (const Unavailable& error) {
    EXPECT_THAT(error.what(), HasSubstr("inventory is unavailable"));
  }
}

TEST(StatusDecodingTest, EveryPaymentStatusIsDecodedToItsDomainValue) {
  using S = domain::PaymentStatus;
  const std::pair<paymentspb::PaymentStatus, S> expected[] = {
      {paymentspb::PAYMENT_STATUS_UNSPECIFIED, S::kNone},
      {paymentspb::PAYMENT_STATUS_AUTHORIZED, S::kAuthorized},
      {paymentspb::PAYMENT_STATUS_CAPTURED, S::kCaptured},
      {paymentspb::PAYMENT_STATUS_VOIDED, S::kVoided},
      {paymentspb::PAYMENT_STATUS_REFUNDED, S::kRefunded},
      {paymentspb::PAYMENT_STATUS_PARTIALLY_REFUNDED, S::kPartiallyRefunded},
      {paymentspb::PAYMENT_STATUS_DECLINED, S::kDeclined},
      {paymentspb::PAYMENT_STATUS_FAILED, S::kFailed},
  };
  ASSERT_EQ(std::size(expected), static_cast<std::size_t>(paymentspb::PaymentStatus_descriptor()->value_count()))
      << "a value payments added needs a domain value";
  for (const auto& [proto, domain_status] : expected) {
    EXPECT_EQ(PaymentStatusOf(proto), domain_status) << paymentspb::PaymentStatus_Name(proto);
  }
  EXPECT_EQ(PaymentStatusOf(static_cast<paymentspb::PaymentStatus>(99)), S::kNone) << "a newer payments' value";
}

TEST(StatusDecodingTest, EveryShipmentStatusIsDecodedToItsDomainValue) {
  using S = domain::ShipmentStatus;
  const std::pair<shippingpb::ShipmentStatus, S> expected[] = {
      {shippingpb::SHIPMENT_STATUS_UNSPECIFIED, S::kNone},
      {shippingpb::SHIPMENT_STATUS_LABEL_CREATED, S::kLabelCreated},
      {shippingpb::SHIPMENT_STATUS_DISPATCHED, S::kDispatched},
      {shippingpb::SHIPMENT_STATUS_DELIVERED, S::kDelivered},
      {shippingpb::SHIPMENT_STATUS_CANCELLED, S::kCancelled},
  };
  ASSERT_EQ(std::size(expected), static_cast<std::size_t>(shippingpb::ShipmentStatus_descriptor()->value_count()))
      << "a value shipping added needs a domain value";
  for (const auto& [proto, domain_status] : expected) {
    EXPECT_EQ(ShipmentStatusOf(proto), domain_status) << shippingpb::ShipmentStatus_Name(proto);
  }
}

}  // namespace
}  // namespace storefront::checkout::clients
