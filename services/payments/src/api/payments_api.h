// The payments service's gRPC transport: maps proto <-> domain and leaves validation to the
// domain and error mapping to storefront::rpc::Handle.
//
// The request messages hold card numbers: nothing here prints them (no DebugString, no
// ShortDebugString, no logging of requests), and the Card is copied into the domain's type
// for the one Authorize call.
#pragma once

#include "domain/payments.h"
#include "storefront/payments/v1/payments.grpc.pb.h"

namespace storefront::payments::api {

namespace pb = ::storefront::payments::v1;

class PaymentsApi final : public pb::PaymentsService::Service {
 public:
  explicit PaymentsApi(domain::Payments& payments) : payments_(payments) {}

  grpc::Status Authorize(grpc::ServerContext*, const pb::AuthorizeRequest*, pb::Payment*) override;
  grpc::Status Capture(grpc::ServerContext*, const pb::CaptureRequest*, pb::Payment*) override;
  grpc::Status Void(grpc::ServerContext*, const pb::VoidRequest*, pb::Payment*) override;
  grpc::Status Refund(grpc::ServerContext*, const pb::RefundRequest*, pb::Payment*) override;
  grpc::Status GetPayment(grpc::ServerContext*, const pb::GetPaymentRequest*, pb::Payment*) override;
  grpc::Status ListPayments(grpc::ServerContext*, const pb::ListPaymentsRequest*, pb::ListPaymentsResponse*) override;

 private:
  domain::Payments& payments_;
};

// Mapping helpers, exposed for tests.
void ToProto(const domain::Payment& payment, pb::Payment* out);
pb::PaymentStatus ToProto(domain::PaymentStatus status);
pb::CardBrand ToProto(domain::CardBrand brand);
domain::AuthorizeRequest FromProto(const pb::AuthorizeRequest& request);

}  // namespace storefront::payments::api
