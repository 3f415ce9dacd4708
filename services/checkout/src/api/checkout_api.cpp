#include "api/checkout_api.h"

#include <google/protobuf/util/time_util.h>

#include "common_proto.h"
#include "shared/rpc/status.h"

namespace storefront::checkout::api {

// The shared money and address mappings, as overloads beside this file's own.
using checkout::FromProto;
using checkout::ToProto;

namespace {

using google::protobuf::util::TimeUtil;
namespace paymentspb = storefront::payments::v1;
namespace shippingpb = storefront::shipping::v1;

google::protobuf::Timestamp Time(domain::Timestamp at) {
  return TimeUtil::MicrosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count());
}

pb::OrderStatus Status(domain::OrderStatus s) { return static_cast<pb::OrderStatus>(static_cast<int>(s) + 1); }

// A timestamp the caller sent, when it is one (0001-01-01 .. 9999-12-31, as RFC 3339 allows);
// otherwise a violation for `field`, so an absurd value never reaches the arithmetic.
std::optional<domain::Timestamp> FromProto(const google::protobuf::Timestamp& at, const std::string& field,
                                           Violations& violations) {
  if (at.seconds() < TimeUtil::kTimestampMinSeconds || at.seconds() > TimeUtil::kTimestampMaxSeconds ||
      at.nanos() < 0 || at.nanos() > 999'999'999) {
    violations.Add(field, "must be a time between years 1 and 9999");
    return std::nullopt;
  }
  return domain::Timestamp(std::chrono::duration_cast<domain::Timestamp::duration>(
      std::chrono::microseconds(TimeUtil::TimestampToMicroseconds(at))));
}

}  // namespace

void ToProto(const domain::Order& o, pb::Order* out) {
  out->set_id(o.id);
  out->set_customer_id(o.customer_id);
  out->set_customer_email(o.customer_email);
  out->set_status(Status(o.status));
  out->set_failure(static_cast<pb::OrderFailure>(static_cast<int>(o.failure)));
  out->set_failure_reason(o.failure_reason);
  for (const auto& item : o.items) {
    auto* line = out->add_items();
    line->set_product_id(item.product_id);
    line->set_sku(item.sku);
    line->set_name(item.name);
    line->set_quantity(item.quantity);
    ToProto(item.unit_price, line->mutable_unit_price());
    ToProto(item.line_total, line->mutable_line_total());
  }
  ToProto(o.subtotal, out->mutable_subtotal());
  ToProto(o.shipping_price, out->mutable_shipping_price());
  ToProto(o.total, out->mutable_total());
  ToProto(o.shipping_address, out->mutable_shipping_address());
  out->set_shipping_option_id(o.shipping_option_id);
  if (!o.payment_id.empty()) {
    auto* payment = out->mutable_payment();
    payment->set_payment_id(o.payment_id);
    paymentspb::PaymentStatus status = paymentspb::PAYMENT_STATUS_UNSPECIFIED;
    paymentspb::PaymentStatus_Parse("PAYMENT_STATUS_" + o.payment_status, &status);
    payment->set_status(status);
    paymentspb::CardBrand brand = paymentspb::CARD_BRAND_UNSPECIFIED;
    paymentspb::CardBrand_Parse("CARD_BRAND_" + o.card_brand, &brand);
    payment->set_card_brand(brand);
    payment->set_card_last4(o.card_last4);
  }
  if (!o.shipment_id.empty()) {
    auto* shipment = out->mutable_shipment();
    shipment->set_shipment_id(o.shipment_id);
    shipment->set_carrier(o.carrier);
    shipment->set_tracking_number(o.tracking_number);
    shippingpb::ShipmentStatus status = shippingpb::SHIPMENT_STATUS_UNSPECIFIED;
    shippingpb::ShipmentStatus_Parse("SHIPMENT_STATUS_" + o.shipment_status, &status);
    shipment->set_status(status);
  }
  for (const auto& entry : o.timeline) {
    auto* t = out->add_timeline();
    t->set_status(Status(entry.status));
    t->set_note(entry.note);
    *t->mutable_at() = Time(entry.at);
  }
  for (const auto& step : o.steps) {
    auto* s = out->add_saga_steps();
    s->set_name(step.name);
    s->set_state(static_cast<pb::SagaStepState>(static_cast<int>(step.state) + 1));
    s->set_detail(step.detail);
    *s->mutable_at() = Time(step.at);
  }
  *out->mutable_created_at() = Time(o.created_at);
  *out->mutable_updated_at() = Time(o.updated_at);
}

grpc::Status CheckoutApi::PlaceOrder(grpc::ServerContext*, const pb::PlaceOrderRequest* request, pb::Order* response) {
  return rpc::Handle([&] {
    domain::PlaceOrderCommand command;
    command.idempotency_key = request->idempotency_key();
    command.customer_id = request->customer_id();
    command.customer_email = request->customer_email();
    command.shipping_address = FromProto(request->shipping_address());
    command.shipping_option_id = request->shipping_option_id();
    command.card = {request->card().number(), request->card().exp_month(), request->card().exp_year(),
                    request->card().cvc()};
    if (request->has_expected_total()) {
      command.expected_total = domain::Money{request->expected_total().amount_minor(), request->expected_total().currency()};
    }
    ToProto(checkout_.PlaceOrder(command), response);
  });
}

grpc::Status CheckoutApi::GetOrder(grpc::ServerContext*, const pb::GetOrderRequest* request, pb::Order* response) {
  return rpc::Handle([&] { ToProto(checkout_.GetOrder(request->order_id(), request->customer_id()), response); });
}

grpc::Status CheckoutApi::ListOrders(grpc::ServerContext*, const pb::ListOrdersRequest* request,
                                     pb::ListOrdersResponse* response) {
  return rpc::Handle([&] {
    domain::OrderListRequest list;
    list.filter.customer_id = request->customer_id();
    list.filter.customer_email = request->customer_email();
    list.filter.limit = request->page_size();
    if (request->status() != pb::ORDER_STATUS_UNSPECIFIED) {
      list.filter.status = static_cast<domain::OrderStatus>(static_cast<int>(request->status()) - 1);
    }
    Violations violations;
    if (request->has_created_after()) {
      list.filter.created_after = FromProto(request->created_after(), "created_after", violations);
    }
    if (request->has_created_before()) {
      list.filter.created_before = FromProto(request->created_before(), "created_before", violations);
    }
    violations.ThrowIfAny();
    list.page_token = request->page_token();
    auto result = checkout_.ListOrders(list);
    for (const auto& order : result.orders) ToProto(order, response->add_orders());
    response->set_next_page_token(result.next_page_token);
  });
}

grpc::Status CheckoutApi::CancelOrder(grpc::ServerContext*, const pb::CancelOrderRequest* request,
                                      pb::Order* response) {
  return rpc::Handle([&] {
    ToProto(checkout_.CancelOrder(request->order_id(), request->customer_id(), request->reason()), response);
  });
}

grpc::Status CheckoutApi::RefundOrder(grpc::ServerContext*, const pb::RefundOrderRequest* request,
                                      pb::Order* response) {
  return rpc::Handle([&] {
    domain::RefundCommand command{request->idempotency_key(), request->order_id(), std::nullopt, request->reason()};
    if (request->has_amount()) command.amount = domain::Money{request->amount().amount_minor(), request->amount().currency()};
    ToProto(checkout_.RefundOrder(command), response);
  });
}

grpc::Status CheckoutApi::SalesReport(grpc::ServerContext*, const pb::SalesReportRequest* request,
                                      pb::SalesReportResponse* response) {
  return rpc::Handle([&] {
    std::optional<domain::Granularity> granularity;
    if (request->granularity() == pb::SALES_GRANULARITY_HOUR) granularity = domain::Granularity::kHour;
    if (request->granularity() == pb::SALES_GRANULARITY_DAY) granularity = domain::Granularity::kDay;
    Violations violations;
    if (!granularity) violations.Add("granularity", "must be HOUR or DAY");
    std::optional<domain::Timestamp> from, to;
    if (!request->has_from_time()) violations.Add("from_time", "is required");
    else from = FromProto(request->from_time(), "from_time", violations);
    if (!request->has_to_time()) violations.Add("to_time", "is required");
    else to = FromProto(request->to_time(), "to_time", violations);
    violations.ThrowIfAny();
    auto report = checkout_.Sales(granularity, *from, *to);
    response->set_granularity(report.granularity == domain::Granularity::kHour ? pb::SALES_GRANULARITY_HOUR
                                                                                 : pb::SALES_GRANULARITY_DAY);
    response->set_currency(report.currency);
    for (const auto& bucket : report.buckets) {
      auto* out = response->add_buckets();
      *out->mutable_start() = Time(bucket.start);
      out->set_orders(bucket.orders);
      ToProto(bucket.revenue, out->mutable_revenue());
    }
  });
}

}  // namespace storefront::checkout::api
