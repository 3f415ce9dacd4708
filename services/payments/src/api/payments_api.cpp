#include "api/payments_api.h"

#include "shared/rpc/status.h"
#include "shared/types/proto.h"

namespace storefront::payments::api {
namespace {

// An unset amount stays unset: the domain tells "required" and "all of it" from it.
std::optional<domain::Money> OptionalMoney(bool has, const storefront::common::v1::Money& money) {
  if (!has) return std::nullopt;
  return types::FromProto(money);
}

}  // namespace

pb::PaymentStatus ToProto(domain::PaymentStatus status) {
  switch (status) {
    case domain::PaymentStatus::kAuthorized: return pb::PAYMENT_STATUS_AUTHORIZED;
    case domain::PaymentStatus::kCaptured: return pb::PAYMENT_STATUS_CAPTURED;
    case domain::PaymentStatus::kVoided: return pb::PAYMENT_STATUS_VOIDED;
    case domain::PaymentStatus::kRefunded: return pb::PAYMENT_STATUS_REFUNDED;
    case domain::PaymentStatus::kPartiallyRefunded: return pb::PAYMENT_STATUS_PARTIALLY_REFUNDED;
    case domain::PaymentStatus::kDeclined: return pb::PAYMENT_STATUS_DECLINED;
    case domain::PaymentStatus::kFailed: return pb::PAYMENT_STATUS_FAILED;
    // Never sent: the domain answers UNAVAILABLE for a payment whose authorization is being
    // resolved rather than show it (checkout reads any other status as an answer).
    case domain::PaymentStatus::kPending: return pb::PAYMENT_STATUS_UNSPECIFIED;
  }
  return pb::PAYMENT_STATUS_UNSPECIFIED;
}

pb::CardBrand ToProto(domain::CardBrand brand) {
  switch (brand) {
    case domain::CardBrand::kVisa: return pb::CARD_BRAND_VISA;
    case domain::CardBrand::kMastercard: return pb::CARD_BRAND_MASTERCARD;
    case domain::CardBrand::kAmex: return pb::CARD_BRAND_AMEX;
    case domain::CardBrand::kDiscover: return pb::CARD_BRAND_DISCOVER;
    case domain::CardBrand::kUnknown: return pb::CARD_BRAND_OTHER;  // a card, of a brand we do not name
  }
  return pb::CARD_BRAND_UNSPECIFIED;
}

void ToProto(const domain::Payment& payment, pb::Payment* out) {
  out->set_id(payment.id);
  out->set_order_id(payment.order_id);
  out->set_customer_id(payment.customer_id);
  out->set_status(ToProto(payment.status));
  types::ToProto({payment.amount_minor, payment.currency}, out->mutable_amount());
  types::ToProto({payment.captured_minor, payment.currency}, out->mutable_captured_amount());
  types::ToProto({payment.refunded_minor, payment.currency}, out->mutable_refunded_amount());
  out->set_card_brand(ToProto(payment.card_brand));
  out->set_card_last4(payment.card_last4);
  out->set_decline_code(payment.decline_code);
  *out->mutable_created_at() = types::ToProto(payment.created_at);
  *out->mutable_updated_at() = types::ToProto(payment.updated_at);
  if (payment.captured_at) *out->mutable_captured_at() = types::ToProto(*payment.captured_at);
  if (payment.voided_at) *out->mutable_voided_at() = types::ToProto(*payment.voided_at);
  if (payment.last_refunded_at) *out->mutable_last_refunded_at() = types::ToProto(*payment.last_refunded_at);
}

domain::AuthorizeRequest FromProto(const pb::AuthorizeRequest& request) {
  domain::AuthorizeRequest out{request.idempotency_key(), request.order_id(), request.customer_id(),
                               OptionalMoney(request.has_amount(), request.amount()), std::nullopt};
  if (request.has_card()) {
    const auto& card = request.card();
    out.card = domain::Card{card.number(), card.exp_month(), card.exp_year(), card.cvc()};
  }
  return out;
}

grpc::Status PaymentsApi::Authorize(grpc::ServerContext* context, const pb::AuthorizeRequest* request, pb::Payment* response) {
  return rpc::Handle(context, [&] { ToProto(payments_.Authorize(FromProto(*request)), response); });
}

grpc::Status PaymentsApi::Capture(grpc::ServerContext* context, const pb::CaptureRequest* request, pb::Payment* response) {
  return rpc::Handle(context, [&] {
    ToProto(payments_.Capture({request->idempotency_key(), request->payment_id(),
                               OptionalMoney(request->has_amount(), request->amount())}),
            response);
  });
}

grpc::Status PaymentsApi::Void(grpc::ServerContext* context, const pb::VoidRequest* request, pb::Payment* response) {
  return rpc::Handle(context, [&] { ToProto(payments_.Void({request->idempotency_key(), request->payment_id()}), response); });
}

grpc::Status PaymentsApi::Refund(grpc::ServerContext* context, const pb::RefundRequest* request, pb::Payment* response) {
  return rpc::Handle(context, [&] {
    ToProto(payments_.Refund({request->idempotency_key(), request->payment_id(),
                              OptionalMoney(request->has_amount(), request->amount()), request->reason()}),
            response);
  });
}

grpc::Status PaymentsApi::GetPayment(grpc::ServerContext* context, const pb::GetPaymentRequest* request,
                                     pb::Payment* response) {
  return rpc::Handle(context, [&] { ToProto(payments_.GetPayment(request->id()), response); });
}

grpc::Status PaymentsApi::ListPayments(grpc::ServerContext* context, const pb::ListPaymentsRequest* request,
                                       pb::ListPaymentsResponse* response) {
  return rpc::Handle(context, [&] {
    for (const auto& payment : payments_.ListPayments(request->order_id())) ToProto(payment, response->add_payments());
  });
}

}  // namespace storefront::payments::api
