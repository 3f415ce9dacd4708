// The gRPC transport over an in-process server with mocked ports (backed by an InMemoryStore):
// wire mapping and status codes, without a database.
#include "api/payments_api.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "domain/mocks.h"
#include "shared/errors/errors.h"

namespace storefront::payments::api {
namespace {

using ::testing::_;
using ::testing::NiceMock;
using ::testing::Return;
using ::testing::Throw;

constexpr const char* kId = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kIntentId = "5d0c1f3e-2a4b-4c6d-8e9f-0a1b2c3d4e5f";  // every id the use cases draw

domain::Payment Sample(domain::PaymentStatus status) {
  domain::Payment p;
  p.id = kId;
  p.order_id = "order-7";
  p.customer_id = "customer-7";
  p.status = status;
  p.currency = "EUR";
  p.amount_minor = 2500;
  p.captured_minor = 2500;
  p.refunded_minor = 1000;
  p.card_brand = domain::CardBrand::kUnknown;
  p.card_last4 = "0005";
  p.processor_reference = "sim_auth_x";
  p.created_at = domain::Timestamp(std::chrono::seconds(1700000000));
  p.updated_at = domain::Timestamp(std::chrono::seconds(1700000300));
  p.captured_at = domain::Timestamp(std::chrono::seconds(1700000100));
  p.last_refunded_at = p.updated_at;
  return p;
}

class PaymentsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.Back(repo_);
    grpc::ServerBuilder builder;
    builder.RegisterService(&api_);
    server_ = builder.BuildAndStart();
    stub_ = pb::PaymentsService::NewStub(server_->InProcessChannel({}));
  }
  void TearDown() override { server_->Shutdown(); }

  static pb::AuthorizeRequest Authorize(const char* number) {
    pb::AuthorizeRequest request;
    request.set_idempotency_key("order-7:authorize");
    request.set_order_id("order-7");
    request.set_customer_id("customer-7");
    request.mutable_amount()->set_amount_minor(2500);
    request.mutable_amount()->set_currency("EUR");
    request.mutable_card()->set_number(number);
    request.mutable_card()->set_exp_month(12);
    request.mutable_card()->set_exp_year(2099);
    request.mutable_card()->set_cvc("123");
    return request;
  }

  grpc::Status Call(const pb::AuthorizeRequest& request, pb::Payment* response) {
    grpc::ClientContext context;
    return stub_->Authorize(&context, request, response);
  }

  domain::InMemoryStore store_;
  NiceMock<domain::MockPaymentRepository> repo_;
  domain::MockCardProcessor processor_;
  domain::Payments payments_{repo_, processor_, types::SystemNow, [] { return std::string(kIntentId); }};
  PaymentsApi api_{payments_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::PaymentsService::Stub> stub_;
};

TEST_F(PaymentsApiTest, GetPaymentMapsEveryField) {
  EXPECT_CALL(repo_, Get(kId)).WillOnce(Return(Sample(domain::PaymentStatus::kPartiallyRefunded)));
  grpc::ClientContext context;
  pb::GetPaymentRequest request;
  request.set_id(kId);
  pb::Payment response;
  ASSERT_TRUE(stub_->GetPayment(&context, request, &response).ok());
  EXPECT_EQ(response.id(), kId);
  EXPECT_EQ(response.order_id(), "order-7");
  EXPECT_EQ(response.customer_id(), "customer-7");
  EXPECT_EQ(response.status(), pb::PAYMENT_STATUS_PARTIALLY_REFUNDED);
  EXPECT_EQ(response.amount().amount_minor(), 2500);
  EXPECT_EQ(response.amount().currency(), "EUR");
  EXPECT_EQ(response.captured_amount().amount_minor(), 2500);
  EXPECT_EQ(response.refunded_amount().amount_minor(), 1000);
  EXPECT_EQ(response.refunded_amount().currency(), "EUR");
  EXPECT_EQ(response.card_brand(), pb::CARD_BRAND_OTHER);
  EXPECT_EQ(response.card_last4(), "0005");
  EXPECT_EQ(response.created_at().seconds(), 1700000000);
  EXPECT_EQ(response.captured_at().seconds(), 1700000100);
  EXPECT_FALSE(response.has_voided_at());
  EXPECT_EQ(response.last_refunded_at().seconds(), 1700000300);
  EXPECT_EQ(response.updated_at().seconds(), 1700000300);
}

TEST_F(PaymentsApiTest, ADeclineIsAnOkResponse) {
  EXPECT_CALL(processor_, Authorize(_, _, _))
      .WillOnce(Return(domain::AuthorizationResult{false, "", "insufficient_funds"}));
  pb::Payment response;
  ASSERT_TRUE(Call(Authorize("4000 0000 0000 9995"), &response).ok());
  EXPECT_EQ(response.status(), pb::PAYMENT_STATUS_DECLINED);
  EXPECT_EQ(response.decline_code(), "insufficient_funds");
  EXPECT_EQ(response.card_brand(), pb::CARD_BRAND_VISA);
  EXPECT_EQ(response.card_last4(), "9995");
}

TEST_F(PaymentsApiTest, ErrorsBecomeStatusCodes) {
  EXPECT_CALL(repo_.transaction, ClaimKey(_)).Times(::testing::AnyNumber());  // new keys, unless said otherwise
  pb::Payment response;
  {  // INVALID_ARGUMENT names the field and never quotes the number
    auto status = Call(Authorize("4242 4242 4242 4241"), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("card.number"), std::string::npos);
    EXPECT_EQ(status.error_message().find("4241"), std::string::npos);
    auto no_card = Authorize("4242424242424242");
    no_card.clear_card();
    no_card.clear_amount();
    status = Call(no_card, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), "amount: is required; card: is required");
  }
  {  // UNAVAILABLE when the processor is down
    EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Throw(Unavailable("socket closed")));
    auto status = Call(Authorize("4000 0000 0000 0119"), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(status.error_message(), "payment processor unavailable");
  }
  {  // ALREADY_EXISTS when the key was used for another request
    EXPECT_CALL(repo_.transaction, ClaimKey(_))
        .WillOnce(Return(domain::IdempotencyRecord{domain::Operation::kAuthorize, "order-7:authorize",
                                                   std::string(64, '0'), kId, {}}))
        .RetiresOnSaturation();
    EXPECT_EQ(Call(Authorize("4242424242424242"), &response).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  }
  {  // FAILED_PRECONDITION when the state forbids it
    store_.payments[kId] = Sample(domain::PaymentStatus::kVoided);
    grpc::ClientContext context;
    pb::CaptureRequest request;
    request.set_idempotency_key("order-7:capture");
    request.set_payment_id(kId);
    auto status = stub_->Capture(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(status.error_message(), "payment is voided; only an authorized payment can be captured");
  }
  {  // NOT_FOUND for an unknown id
    EXPECT_CALL(repo_, Get(kId)).WillOnce(Return(std::nullopt));
    grpc::ClientContext context;
    pb::GetPaymentRequest request;
    request.set_id(kId);
    EXPECT_EQ(stub_->GetPayment(&context, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
  }
}

TEST_F(PaymentsApiTest, RefundAndVoidAndListPassTheirFieldsThrough) {
  auto captured = Sample(domain::PaymentStatus::kCaptured);
  captured.refunded_minor = 0;
  store_.payments[kId] = captured;
  EXPECT_CALL(processor_, Refund(std::string(kId) + ":refund:" + std::string(kIntentId), "sim_auth_x",
                                 domain::Money{700, "EUR"}));
  grpc::ClientContext refund_context;
  pb::RefundRequest refund;
  refund.set_idempotency_key("order-7:refund:1");
  refund.set_payment_id(kId);
  refund.mutable_amount()->set_amount_minor(700);
  refund.mutable_amount()->set_currency("EUR");
  refund.set_reason("damaged in transit");
  pb::Payment response;
  ASSERT_TRUE(stub_->Refund(&refund_context, refund, &response).ok());
  EXPECT_EQ(response.status(), pb::PAYMENT_STATUS_PARTIALLY_REFUNDED);
  EXPECT_EQ(response.refunded_amount().amount_minor(), 700);

  store_.payments[kId] = Sample(domain::PaymentStatus::kAuthorized);
  EXPECT_CALL(processor_, Void(std::string(kId) + ":void", "sim_auth_x"));
  grpc::ClientContext void_context;
  pb::VoidRequest void_request;
  void_request.set_idempotency_key("order-7:void");
  void_request.set_payment_id(kId);
  ASSERT_TRUE(stub_->Void(&void_context, void_request, &response).ok());
  EXPECT_EQ(response.status(), pb::PAYMENT_STATUS_VOIDED);
  EXPECT_TRUE(response.has_voided_at());

  EXPECT_CALL(repo_, ListByOrder("order-7"))
      .WillOnce(Return(std::vector<domain::Payment>{Sample(domain::PaymentStatus::kRefunded),
                                                    Sample(domain::PaymentStatus::kDeclined)}));
  grpc::ClientContext list_context;
  pb::ListPaymentsRequest list;
  list.set_order_id("order-7");
  pb::ListPaymentsResponse payments;
  ASSERT_TRUE(stub_->ListPayments(&list_context, list, &payments).ok());
  ASSERT_EQ(payments.payments_size(), 2);
  EXPECT_EQ(payments.payments(1).status(), pb::PAYMENT_STATUS_DECLINED);
}

TEST(ProtoMappingTest, EveryStatusAndBrandHasAWireValue) {
  using domain::PaymentStatus;
  for (auto status : {PaymentStatus::kAuthorized, PaymentStatus::kCaptured, PaymentStatus::kVoided,
                      PaymentStatus::kRefunded, PaymentStatus::kPartiallyRefunded, PaymentStatus::kDeclined,
                      PaymentStatus::kFailed}) {
    EXPECT_NE(ToProto(status), pb::PAYMENT_STATUS_UNSPECIFIED);
  }
  using domain::CardBrand;
  EXPECT_EQ(ToProto(CardBrand::kMastercard), pb::CARD_BRAND_MASTERCARD);
  EXPECT_EQ(ToProto(CardBrand::kAmex), pb::CARD_BRAND_AMEX);
  EXPECT_EQ(ToProto(CardBrand::kDiscover), pb::CARD_BRAND_DISCOVER);
}

}  // namespace
}  // namespace storefront::payments::api
