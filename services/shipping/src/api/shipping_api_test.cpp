// The gRPC transport over an in-process server with a mocked repository: wire mapping and the
// status code of every rule, without a database.
#include "api/shipping_api.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <utility>

#include "domain/mocks.h"
#include "shared/errors/errors.h"

namespace storefront::shipping::api {
namespace {

using ::testing::_;
using ::testing::Invoke;
using ::testing::Return;
using ::testing::Throw;
using Outcome = domain::ShipmentRepository::CreateOutcome;

constexpr const char* kId = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kOrderId = "5f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f";
const domain::Timestamp kNow{std::chrono::seconds(1'800'000'000)};

void SetAddress(storefront::common::v1::Address* a, const std::string& country = "US") {
  a->set_name("Ada Lovelace");
  a->set_line1("12 Analytical Way");
  a->set_city("Springfield");
  a->set_postal_code("62701");
  a->set_country(country);
}

pb::CreateShipmentRequest CreateRequest(const std::string& option = "standard") {
  pb::CreateShipmentRequest request;
  request.set_order_id(kOrderId);
  request.set_customer_id("cus_42");
  request.set_shipping_option_id(option);
  SetAddress(request.mutable_address());
  auto* item = request.add_items();
  item->set_product_id("79c8c292-6b94-45b5-b498-82321e35049e");
  item->set_sku("AUD-HP-0001");
  item->set_name("Headphones");
  item->set_quantity(2);
  return request;
}

domain::Shipment Sample(domain::ShipmentStatus status = domain::ShipmentStatus::kLabelCreated) {
  domain::Shipment s;
  s.id = kId;
  s.order_id = kOrderId;
  s.customer_id = "cus_42";
  s.tracking_number = "USPS123456789012";
  s.carrier = "USPS";
  s.service = "Ground Advantage";
  s.shipping_option_id = "standard";
  s.status = status;
  s.address = {"Ada Lovelace", "12 Analytical Way", "", "Springfield", "", "62701", "US"};
  s.items = {{"79c8c292-6b94-45b5-b498-82321e35049e", "AUD-HP-0001", "Headphones", 2}};
  s.created_at = s.updated_at = kNow;
  if (status == domain::ShipmentStatus::kDispatched) s.dispatched_at = kNow;
  return s;
}

class ShippingApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&api_);
    server_ = builder.BuildAndStart();
    stub_ = pb::ShippingService::NewStub(server_->InProcessChannel({}));
  }
  void TearDown() override { server_->Shutdown(); }

  grpc::StatusCode Advance(pb::ShipmentStatus to, pb::Shipment* response) {
    grpc::ClientContext context;
    pb::AdvanceShipmentRequest request;
    request.set_id(kId);
    request.set_to_status(to);
    return stub_->AdvanceShipment(&context, request, response).error_code();
  }

  ::testing::NiceMock<domain::MockShipmentRepository> repo_;
  domain::Shipping shipping_{repo_, [] { return kNow; }, [](int n) { return std::string(n, '1'); }};
  ShippingApi api_{shipping_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::ShippingService::Stub> stub_;
};

TEST_F(ShippingApiTest, GetQuotesAnswersOptionsInTheSubtotalsCurrency) {
  grpc::ClientContext context;
  pb::GetQuotesRequest request;
  SetAddress(request.mutable_address());
  request.set_item_count(1);
  request.mutable_subtotal()->set_amount_minor(1000);
  request.mutable_subtotal()->set_currency("EUR");
  pb::GetQuotesResponse response;
  ASSERT_TRUE(stub_->GetQuotes(&context, request, &response).ok());
  ASSERT_EQ(response.options_size(), 3);
  EXPECT_EQ(response.options(0).id(), "standard");
  EXPECT_EQ(response.options(0).carrier(), "USPS");
  EXPECT_EQ(response.options(0).service(), "Ground Advantage");
  EXPECT_EQ(response.options(0).price().amount_minor(), 549);
  EXPECT_EQ(response.options(0).price().currency(), "EUR");
  EXPECT_EQ(response.options(0).estimated_days(), 5);
}

TEST_F(ShippingApiTest, NothingShipsToAntarcticaIsAnEmptyAnswerNotAnError) {
  grpc::ClientContext context;
  pb::GetQuotesRequest request;
  SetAddress(request.mutable_address(), "AQ");
  request.set_item_count(1);
  request.mutable_subtotal()->set_currency("USD");
  pb::GetQuotesResponse response;
  ASSERT_TRUE(stub_->GetQuotes(&context, request, &response).ok());
  EXPECT_EQ(response.options_size(), 0);
}

TEST_F(ShippingApiTest, BadInputIsInvalidArgumentNamingEachField) {
  grpc::ClientContext context;
  pb::GetQuotesRequest request;  // no address, no subtotal, no items
  pb::GetQuotesResponse response;
  auto status = stub_->GetQuotes(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "address: is required; item_count: must be between 1 and 999; subtotal: is required");

  grpc::ClientContext context2;
  SetAddress(request.mutable_address());
  request.set_item_count(1);
  request.mutable_subtotal()->set_currency("JPY");
  status = stub_->GetQuotes(&context2, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "subtotal.currency: must be one of USD, EUR, GBP");
}

TEST_F(ShippingApiTest, CreateShipmentMapsEveryField) {
  EXPECT_CALL(repo_, Create(_)).WillOnce(Invoke([](const domain::Shipment& s) {
    auto stored = s;
    stored.id = kId;
    return domain::ShipmentRepository::CreateResult{Outcome::kCreated, stored};
  }));
  grpc::ClientContext context;
  pb::Shipment response;
  ASSERT_TRUE(stub_->CreateShipment(&context, CreateRequest(), &response).ok());
  EXPECT_EQ(response.id(), kId);
  EXPECT_EQ(response.order_id(), kOrderId);
  EXPECT_EQ(response.customer_id(), "cus_42");
  EXPECT_EQ(response.tracking_number(), "USPS111111111111");
  EXPECT_EQ(response.carrier(), "USPS");
  EXPECT_EQ(response.shipping_option_id(), "standard");
  EXPECT_EQ(response.status(), pb::SHIPMENT_STATUS_LABEL_CREATED);
  EXPECT_EQ(response.address().country(), "US");
  ASSERT_EQ(response.items_size(), 1);
  EXPECT_EQ(response.items(0).quantity(), 2);
  EXPECT_EQ(response.created_at().seconds(), 1'800'000'000);
  EXPECT_FALSE(response.has_dispatched_at());
  EXPECT_FALSE(response.has_cancelled_at());
}

TEST_F(ShippingApiTest, CreateStatusCodes) {
  {
    grpc::ClientContext context;
    pb::Shipment response;
    auto request = CreateRequest("overnight");
    request.mutable_address()->set_country("DE");
    auto status = stub_->CreateShipment(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("shipping_option_id: ", 0), 0u) << status.error_message();
  }
  {
    auto existing = Sample();
    existing.shipping_option_id = "express";
    EXPECT_CALL(repo_, Create(_))
        .WillOnce(Return(domain::ShipmentRepository::CreateResult{Outcome::kOrderHasShipment, existing}));
    grpc::ClientContext context;
    pb::Shipment response;
    EXPECT_EQ(stub_->CreateShipment(&context, CreateRequest("standard"), &response).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  {
    // An order checkout has already failed or cancelled (OrderFailed, OrderCancelled).
    EXPECT_CALL(repo_, FindClosure(kOrderId))
        .WillOnce(Return(domain::OrderClosure{kOrderId, domain::OrderEnding::kFailed, "", {}}));
    grpc::ClientContext context;
    pb::Shipment response;
    auto status = stub_->CreateShipment(&context, CreateRequest(), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(status.error_message(), std::string("order ") + kOrderId +
                                          " has already ended (FAILED); no shipment was created");
  }
  {
    // A million lines are refused by validation, not copied and stored.
    auto request = CreateRequest();
    for (int i = 0; i < 1000; ++i) *request.add_items() = request.items(0);
    grpc::ClientContext context;
    pb::Shipment response;
    auto status = stub_->CreateShipment(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("items: must hold 1 to 100 lines"), std::string::npos);
  }
}

TEST_F(ShippingApiTest, AdvanceAndCancelStatusCodes) {
  pb::Shipment response;
  EXPECT_CALL(repo_, Update(kId, _))
      .WillRepeatedly(Invoke([](const std::string&, const domain::ShipmentRepository::Change& change) {
        auto current = Sample(domain::ShipmentStatus::kDispatched);
        change(current);
        return std::optional<domain::Shipment>(current);
      }));
  EXPECT_EQ(Advance(pb::SHIPMENT_STATUS_DISPATCHED, &response), grpc::StatusCode::OK) << "a retry";
  EXPECT_EQ(response.status(), pb::SHIPMENT_STATUS_DISPATCHED);
  EXPECT_TRUE(response.has_dispatched_at());
  EXPECT_EQ(Advance(pb::SHIPMENT_STATUS_LABEL_CREATED, &response), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Advance(pb::SHIPMENT_STATUS_DELIVERED, &response), grpc::StatusCode::OK);
  EXPECT_EQ(response.status(), pb::SHIPMENT_STATUS_DELIVERED);
  EXPECT_EQ(Advance(pb::SHIPMENT_STATUS_UNSPECIFIED, &response), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Advance(pb::SHIPMENT_STATUS_CANCELLED, &response), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Advance(static_cast<pb::ShipmentStatus>(42), &response), grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext context;
  pb::CancelShipmentRequest cancel;
  cancel.set_id(kId);
  cancel.set_reason("customer changed their mind");
  auto status = stub_->CancelShipment(&context, cancel, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "the parcel is with the carrier";
}

TEST_F(ShippingApiTest, ReadStatusCodes) {
  {
    EXPECT_CALL(repo_, Get(kId)).WillOnce(Return(std::nullopt));
    grpc::ClientContext context;
    pb::GetShipmentRequest request;
    request.set_id(kId);
    pb::Shipment response;
    EXPECT_EQ(stub_->GetShipment(&context, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    pb::GetShipmentByOrderRequest request;
    request.set_order_id("42");
    pb::Shipment response;
    EXPECT_EQ(stub_->GetShipmentByOrder(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    EXPECT_CALL(repo_, List(_)).WillOnce(Throw(Unavailable("database unavailable")));
    grpc::ClientContext context;
    pb::ListShipmentsResponse response;
    EXPECT_EQ(stub_->ListShipments(&context, {}, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  {
    grpc::ClientContext context;
    pb::ListShipmentsRequest request;
    request.set_page_token("not-a-token");
    pb::ListShipmentsResponse response;
    EXPECT_EQ(stub_->ListShipments(&context, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext context;
    pb::ListShipmentsRequest request;
    request.set_status(static_cast<pb::ShipmentStatus>(9));  // a number this build does not know
    pb::ListShipmentsResponse response;
    auto status = stub_->ListShipments(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "not read as every status";
    EXPECT_EQ(status.error_message(), "status: must be a shipment status, or UNSPECIFIED for all");
  }
}

TEST(ToProtoTest, EachStatusIsItsNamesakeOnTheWire) {
  const std::pair<domain::ShipmentStatus, pb::ShipmentStatus> pairs[] = {
      {domain::ShipmentStatus::kLabelCreated, pb::SHIPMENT_STATUS_LABEL_CREATED},
      {domain::ShipmentStatus::kDispatched, pb::SHIPMENT_STATUS_DISPATCHED},
      {domain::ShipmentStatus::kDelivered, pb::SHIPMENT_STATUS_DELIVERED},
      {domain::ShipmentStatus::kCancelled, pb::SHIPMENT_STATUS_CANCELLED},
  };
  for (const auto& [status, wire] : pairs) {
    pb::Shipment out;
    ToProto(Sample(status), &out);
    EXPECT_EQ(out.status(), wire) << pb::ShipmentStatus_Name(wire);
  }
}

TEST(FromProtoTest, ALineCountBeyondTheLimitIsKeptJustPastIt) {
  auto request = CreateRequest();
  for (int i = 0; i < 5000; ++i) *request.add_items() = request.items(0);
  EXPECT_EQ(FromProto(request).items.size(), domain::kMaxShipmentLines + 1);
  request.clear_address();
  EXPECT_FALSE(FromProto(request).address.has_value());
}

}  // namespace
}  // namespace storefront::shipping::api
