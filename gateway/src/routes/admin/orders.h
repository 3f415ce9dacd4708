// Operator routes for orders, all answered by checkout: GET /api/v1/admin/orders (every
// customer's, filtered), GET /{id} (with the saga's steps and the checkout's trace), POST
// /{id}/cancel and /{id}/refund, and GET /api/v1/admin/sales (orders and revenue per hour or day).
#pragma once

#include "routes/admin_routes.h"

namespace storefront::gateway::routes::admin {

void AddOrderRoutes(AdminRoutes& routes);

// JSON shape of an order for operators, as documented in openapi.json (AdminOrder): the shopper's
// view plus the customer, the saga's steps and the trace of the checkout that placed it:
// "trace_id" (null for orders placed before traces were recorded) and "trace_url", its page in the
// tracing backend (TRACE_UI_URL followed by the id; null without TRACE_UI_URL or a trace id).
nlohmann::json OperatorOrderJson(const storefront::checkout::v1::Order& order, const std::string& trace_ui_url);

// JSON shape of the sales report, as documented in openapi.json (SalesReport).
nlohmann::json SalesJson(const storefront::checkout::v1::SalesReportResponse& report);

}  // namespace storefront::gateway::routes::admin
