#include "routes/admin/orders.h"

#include <google/protobuf/util/time_util.h>

#include "http/json_fields.h"
#include "routes/shop/orders.h"
#include "shared/log/log.h"
#include "shared/trace/context.h"
#include "shared/types/proto.h"

namespace storefront::gateway::routes::admin {
namespace {

namespace checkoutpb = storefront::checkout::v1;

// The operator's view of an order, with its trace's link in the tracing backend configured.
std::function<nlohmann::json(const checkoutpb::Order&)> Renderer(const AdminClients& c) {
  return [trace_ui_url = c.trace_ui_url](const checkoutpb::Order& order) {
    return OperatorOrderJson(order, trace_ui_url);
  };
}

// An RFC 3339 time from the query, or an error naming `name`.
std::optional<types::Timestamp> TimeParam(const http::Request& request, const std::string& name, Errors& errors) {
  const auto* text = Query(request, name);
  if (text == nullptr) return std::nullopt;
  google::protobuf::Timestamp at;
  std::optional<types::Timestamp> time;
  if (google::protobuf::util::TimeUtil::FromString(*text, &at)) time = types::FromProto(at);
  if (!time) errors.push_back({name, "must be an RFC 3339 time from 1678 to 2261, such as 2030-01-31T09:00:00Z"});
  return time;
}

void ListOrders(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  checkoutpb::ListOrdersRequest upstream;  // customer_id empty: every customer's orders
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (const auto* status = Query(request, "status")) {
    auto value = EnumValue<checkoutpb::OrderStatus>(*status, "ORDER_STATUS_");
    if (!value) {
      errors.push_back({"status", "must be one of pending, reserved, payment_authorized, confirmed, shipped, "
                                  "delivered, failed, cancelled, refunded"});
    } else {
      upstream.set_status(*value);
    }
  }
  if (const auto* email = Query(request, "customer_email")) {
    if (email->size() > 254) errors.push_back({"customer_email", "must be at most 254 characters"});
    upstream.set_customer_email(*email);
  }
  auto after = TimeParam(request, "created_after", errors);
  auto before = TimeParam(request, "created_before", errors);
  if (after) *upstream.mutable_created_after() = types::ToProto(*after);
  if (before) *upstream.mutable_created_before() = types::ToProto(*before);
  if (after && before && *before <= *after) errors.push_back({"created_before", "must be later than created_after"});
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto checkout = c.checkout;
  checkout->Async<checkoutpb::ListOrdersResponse>(For(request), std::move(upstream), STOREFRONT_CALL(checkout, ListOrders),
      Answer<checkoutpb::ListOrdersResponse>(out, "checkout", Code::Ok, [render = Renderer(c)](auto& response) {
        return PageJson(response.orders(), response.next_page_token(), render);
      }));
}

void GetOrder(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  auto id = PathUuid(request, "id", "order", *out);
  if (!id) return;
  checkoutpb::GetOrderRequest upstream;
  upstream.set_order_id(*id);  // customer_id empty: an operator sees any order
  auto checkout = c.checkout;
  checkout->Async<checkoutpb::Order>(For(request), std::move(upstream),
                                    STOREFRONT_CALL(checkout, GetOrder),
                                    Answer<checkoutpb::Order>(out, "checkout", Code::Ok, Renderer(c)));
}

void CancelOrder(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  auto id = PathUuid(request, "id", "order", *out);
  if (!id) return;
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  std::string reason = body.String("reason", 0, 500, /*required=*/false);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  checkoutpb::CancelOrderRequest upstream;
  upstream.set_order_id(*id);
  upstream.set_reason(reason.empty() ? "by an operator" : reason);
  log::Info("operator cancels an order", {{"request_id", request.request_id}, {"operator", who.email}, {"order_id", *id}});
  auto checkout = c.checkout;
  // FAILED_PRECONDITION (shipped, failed, ...) is FromStatus's 409.
  checkout->Async<checkoutpb::Order>(For(request), std::move(upstream),
                                    STOREFRONT_CALL(checkout, CancelOrder),
                                    Answer<checkoutpb::Order>(out, "checkout", Code::Ok, Renderer(c)));
}

void RefundOrder(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  auto id = PathUuid(request, "id", "order", *out);
  if (!id) return;
  Errors errors;
  auto key = IdempotencyKey(request, /*required=*/true, errors);
  http::JsonFields body(Body(request), "", errors);
  checkoutpb::RefundOrderRequest upstream;
  if (body.Has("amount")) MoneyFields(body.Object("amount"), "amount", upstream.mutable_amount(), 1, errors);
  upstream.set_reason(body.String("reason", 0, 500, /*required=*/false));
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_idempotency_key(*key);
  upstream.set_order_id(*id);
  log::Info("operator refunds an order", {{"request_id", request.request_id}, {"operator", who.email}, {"order_id", *id}});
  auto checkout = c.checkout;
  checkout->Async<checkoutpb::Order>(For(request), std::move(upstream),
                                    STOREFRONT_CALL(checkout, RefundOrder),
                                    Answer<checkoutpb::Order>(out, "checkout", Code::Ok, Renderer(c)));
}

// How long a range may be is checkout's rule (at most 1000 buckets): its INVALID_ARGUMENT names
// the proto fields from_time and to_time, which this route reads from the query's from and to.
http::Problem SalesProblem(const grpc::Status& status) {
  http::Problem problem = http::FromStatus(status, "checkout");
  if (problem.errors.empty()) return problem;
  for (auto& error : problem.errors) {
    if (error.field == "from_time") error.field = "from";
    if (error.field == "to_time") error.field = "to";
  }
  problem.detail = http::Summarize(problem.errors);
  return problem;
}

void Sales(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  Errors errors;
  checkoutpb::SalesReportRequest upstream;
  std::string granularity = "day";
  if (const auto* text = Query(request, "granularity")) granularity = *text;
  if (granularity == "hour") {
    upstream.set_granularity(checkoutpb::SALES_GRANULARITY_HOUR);
  } else if (granularity == "day") {
    upstream.set_granularity(checkoutpb::SALES_GRANULARITY_DAY);
  } else {
    errors.push_back({"granularity", "must be hour or day"});
  }
  auto from = TimeParam(request, "from", errors);
  auto to = TimeParam(request, "to", errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  // Defaults: `to` now, `from` 24 hours (by the hour) or 30 days (by the day) before `to`.
  const auto span = granularity == "hour" ? std::chrono::hours(24) : std::chrono::hours(24 * 30);
  if (!to) to = c.clock ? c.clock() : types::SystemNow();
  if (!from) from = *to - span;
  if (*to <= *from) return out->SendProblem(Invalid({{"to", "must be later than from"}}));
  *upstream.mutable_from_time() = types::ToProto(*from);
  *upstream.mutable_to_time() = types::ToProto(*to);
  auto checkout = c.checkout;
  checkout->Async<checkoutpb::SalesReportResponse>(For(request), std::move(upstream), STOREFRONT_CALL(checkout, SalesReport),
      [out](const grpc::Status& status, checkoutpb::SalesReportResponse& report) {
        if (!status.ok()) return out->SendProblem(SalesProblem(status));
        out->Json(Code::Ok, SalesJson(report));
      });
}

}  // namespace

nlohmann::json OperatorOrderJson(const checkoutpb::Order& order, const std::string& trace_ui_url) {
  nlohmann::json body = shop::OrderJson(order, true);
  body["trace_id"] = order.trace_id().empty() ? nlohmann::json(nullptr) : nlohmann::json(order.trace_id());
  // Only an id of the W3C form goes into a link (the id is checkout's data, the URL is ours), and
  // only a recorded trace: the backend knows no other.
  const bool linkable = !trace_ui_url.empty() && order.trace_recorded() && trace::IsTraceIdHex(order.trace_id());
  body["trace_url"] = linkable ? nlohmann::json(trace_ui_url + order.trace_id()) : nlohmann::json(nullptr);
  return body;
}

nlohmann::json SalesJson(const checkoutpb::SalesReportResponse& report) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& bucket : report.buckets()) {
    buckets.push_back({{"start", TimeJson(bucket.start())}, {"orders", bucket.orders()}, {"revenue", MoneyJson(bucket.revenue())}});
  }
  return {{"granularity", EnumName(checkoutpb::SalesGranularity_Name(report.granularity()), "SALES_GRANULARITY_")},
          {"currency", report.currency()},
          {"buckets", buckets}};
}

void AddOrderRoutes(AdminRoutes& routes) {
  routes.Add(Method::Get, "/api/v1/admin/orders", ListOrders);
  routes.Add(Method::Get, "/api/v1/admin/orders/:id", GetOrder);
  routes.Add(Method::Post, "/api/v1/admin/orders/:id/cancel", CancelOrder);
  routes.Add(Method::Post, "/api/v1/admin/orders/:id/refund", RefundOrder);
  routes.Add(Method::Get, "/api/v1/admin/sales", Sales);
}

}  // namespace storefront::gateway::routes::admin
