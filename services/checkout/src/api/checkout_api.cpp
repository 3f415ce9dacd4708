#include "api/checkout_api.h"

#include "api/order_mapping.h"
#include "shared/rpc/status.h"
#include "shared/trace/context.h"
#include "shared/types/proto.h"

namespace storefront::checkout::api {
namespace {

// A time the caller sent, or a violation for `field` when it is none a Timestamp holds (outside
// 1678..2261, types::FromProto): such a value cannot be mapped to the domain, so it is refused here.
std::optional<domain::Timestamp> TimeOf(const google::protobuf::Timestamp& at, const std::string& field,
                                        Violations& violations) {
  auto time = types::FromProto(at);
  if (!time) violations.Add(field, "must be a time from year 1678 to 2261");
  return time;
}

}  // namespace

grpc::Status CheckoutApi::PlaceOrder(grpc::ServerContext* context, const pb::PlaceOrderRequest* request, pb::Order* response) {
  std::optional<domain::Money> changed_total;  // the FAILED_PRECONDITION's detail, when it is that
  const grpc::Status status = rpc::Handle(context, [&] {
    domain::PlaceOrderCommand command;
    command.idempotency_key = request->idempotency_key();
    command.customer_id = request->customer_id();
    command.customer_email = request->customer_email();
    command.shipping_address = types::FromProto(request->shipping_address());
    command.shipping_option_id = request->shipping_option_id();
    command.card = {request->card().number(), request->card().exp_month(), request->card().exp_year(),
                    request->card().cvc()};
    if (request->has_expected_total()) command.expected_total = types::FromProto(request->expected_total());
    if (const trace::SpanContext* traced = trace::Current()) command.traceparent = traced->Traceparent();
    try {
      ToProto(checkout_.PlaceOrder(command), response);
    } catch (const domain::TotalChanged& e) {
      changed_total = e.total;
      throw;
    }
  });
  if (!changed_total) return status;
  pb::TotalChanged detail;
  types::ToProto(*changed_total, detail.mutable_total());
  return rpc::WithDetail(status, detail);
}

grpc::Status CheckoutApi::GetOrder(grpc::ServerContext* context, const pb::GetOrderRequest* request, pb::Order* response) {
  return rpc::Handle(context, [&] { ToProto(checkout_.GetOrder(request->order_id(), request->customer_id()), response); });
}

grpc::Status CheckoutApi::ListOrders(grpc::ServerContext* context, const pb::ListOrdersRequest* request,
                                     pb::ListOrdersResponse* response) {
  return rpc::Handle(context, [&] {
    domain::OrderListRequest list;
    list.filter.customer_id = request->customer_id();
    list.filter.customer_email = request->customer_email();
    list.filter.limit = request->page_size();
    Violations violations;
    if (request->status() != pb::ORDER_STATUS_UNSPECIFIED) {  // UNSPECIFIED: every status
      list.filter.status = FromProto(request->status());
      if (!list.filter.status) violations.Add("status", "is not an order status");
    }
    if (request->has_created_after()) {
      list.filter.created_after = TimeOf(request->created_after(), "created_after", violations);
    }
    if (request->has_created_before()) {
      list.filter.created_before = TimeOf(request->created_before(), "created_before", violations);
    }
    violations.ThrowIfAny();
    list.page_token = request->page_token();
    auto result = checkout_.ListOrders(list);
    for (const auto& order : result.orders) ToProto(order, response->add_orders());
    response->set_next_page_token(result.next_page_token);
  });
}

grpc::Status CheckoutApi::CancelOrder(grpc::ServerContext* context, const pb::CancelOrderRequest* request,
                                      pb::Order* response) {
  return rpc::Handle(context, [&] {
    ToProto(checkout_.CancelOrder(request->order_id(), request->customer_id(), request->reason()), response);
  });
}

grpc::Status CheckoutApi::RefundOrder(grpc::ServerContext* context, const pb::RefundOrderRequest* request,
                                      pb::Order* response) {
  return rpc::Handle(context, [&] {
    domain::RefundCommand command{request->idempotency_key(), request->order_id(), std::nullopt, request->reason()};
    if (request->has_amount()) command.amount = types::FromProto(request->amount());
    ToProto(checkout_.RefundOrder(command), response);
  });
}

grpc::Status CheckoutApi::SalesReport(grpc::ServerContext* context, const pb::SalesReportRequest* request,
                                      pb::SalesReportResponse* response) {
  return rpc::Handle(context, [&] {
    // Absent fields reach the domain as nullopt; it names every missing one.
    Violations violations;
    std::optional<domain::Timestamp> from, to;
    if (request->has_from_time()) from = TimeOf(request->from_time(), "from_time", violations);
    if (request->has_to_time()) to = TimeOf(request->to_time(), "to_time", violations);
    violations.ThrowIfAny();
    auto report = checkout_.Sales(FromProto(request->granularity()), from, to);
    response->set_granularity(ToProto(report.granularity));
    response->set_currency(report.currency);
    for (const auto& bucket : report.buckets) {
      auto* out = response->add_buckets();
      *out->mutable_start() = types::ToProto(bucket.start);
      out->set_orders(bucket.orders);
      types::ToProto(bucket.revenue, out->mutable_revenue());
    }
  });
}

}  // namespace storefront::checkout::api
