// The operator API's JSON shapes and request validation, without a server.
#include "routes/admin/inventory.h"
#include "routes/admin/orders.h"
#include "routes/admin/products.h"
#include "routes/admin/shipments.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <set>

#include "http/json_fields.h"

namespace storefront::gateway::routes::admin {
namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;
namespace inventorypb = storefront::inventory::v1;
namespace shippingpb = storefront::shipping::v1;
namespace checkoutpb = storefront::checkout::v1;

std::vector<std::string> Fields(const std::vector<http::FieldError>& errors) {
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  return fields;
}

TEST(AdminJsonTest, StockLevelAndAdjustment) {
  inventorypb::StockLevel level;
  level.set_product_id("79c8c292-6b94-45b5-b498-82321e35049e");
  level.set_on_hand(12);
  level.set_reserved(3);
  level.set_available(9);
  level.set_low_stock_threshold(5);
  *level.mutable_updated_at() = TimeUtil::SecondsToTimestamp(1'800'000'000);
  EXPECT_EQ(StockLevelJson(level), json::parse(R"({"product_id": "79c8c292-6b94-45b5-b498-82321e35049e",
      "on_hand": 12, "reserved": 3, "available": 9, "low_stock_threshold": 5,
      "updated_at": "2027-01-15T08:00:00Z"})"));

  inventorypb::StockAdjustment adjustment;
  adjustment.set_id("a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4");
  adjustment.set_product_id(level.product_id());
  adjustment.set_delta(-2);
  adjustment.set_reason(inventorypb::ADJUSTMENT_REASON_DAMAGED);
  adjustment.set_note("dropped");
  adjustment.set_actor("ops@example.com");
  adjustment.set_on_hand_after(10);
  *adjustment.mutable_created_at() = TimeUtil::SecondsToTimestamp(1'800'000'000);
  auto body = AdjustmentJson(adjustment);
  EXPECT_EQ(body["reason"], "damaged");
  EXPECT_EQ(body["delta"], -2);
  EXPECT_EQ(body["actor"], "ops@example.com");
  EXPECT_EQ(body["on_hand_after"], 10);
  EXPECT_EQ(body["created_at"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(body.size(), 8u);
}

TEST(AdminJsonTest, AShipmentNotYetDispatchedHasNullTimes) {
  shippingpb::Shipment shipment;
  shipment.set_id("5d1f8f0e-2c3b-4a7d-8e9f-0a1b2c3d4e5f");
  shipment.set_order_id("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11");
  shipment.set_status(shippingpb::SHIPMENT_STATUS_LABEL_CREATED);
  shipment.set_carrier("Parcelline");
  *shipment.mutable_created_at() = TimeUtil::SecondsToTimestamp(1'800'000'000);
  auto body = ShipmentJson(shipment);
  EXPECT_EQ(body["status"], "label_created");
  EXPECT_EQ(body["created_at"], "2027-01-15T08:00:00Z");
  EXPECT_TRUE(body["dispatched_at"].is_null());
  EXPECT_TRUE(body["delivered_at"].is_null());
  std::set<std::string> keys;
  for (const auto& [key, value] : body.items()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "order_id", "customer_id", "tracking_number", "carrier", "service",
                                         "status", "created_at", "dispatched_at", "delivered_at"}));
}

TEST(AdminJsonTest, SalesReport) {
  checkoutpb::SalesReportResponse report;
  report.set_granularity(checkoutpb::SALES_GRANULARITY_HOUR);
  report.set_currency("USD");
  auto* bucket = report.add_buckets();
  *bucket->mutable_start() = TimeUtil::SecondsToTimestamp(1'800'000'000);
  bucket->set_orders(3);
  bucket->mutable_revenue()->set_amount_minor(4500);
  bucket->mutable_revenue()->set_currency("USD");
  EXPECT_EQ(SalesJson(report), json::parse(R"({"granularity": "hour", "currency": "USD", "buckets": [
      {"start": "2027-01-15T08:00:00Z", "orders": 3, "revenue": {"amount_minor": 4500, "currency": "USD"}}]})"));
}

TEST(AdminJsonTest, AnOrderCarriesItsTraceIdAndItsLinkWhenATracingUiIsSet) {
  checkoutpb::Order order;
  order.set_id("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11");
  order.set_status(checkoutpb::ORDER_STATUS_CONFIRMED);
  order.set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
  order.set_trace_recorded(true);
  auto linked = OperatorOrderJson(order, "http://127.0.0.1:9411/zipkin/traces/");
  EXPECT_EQ(linked["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(linked["trace_url"], "http://127.0.0.1:9411/zipkin/traces/4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(linked["order_id"], order.id());
  EXPECT_TRUE(linked.contains("saga_steps")) << "still the operator's view";

  auto unlinked = OperatorOrderJson(order, "");
  EXPECT_EQ(unlinked["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(unlinked["trace_url"].is_null());

  // A trace the gateway chose not to record: the id names the order's log lines; no link to nothing.
  order.set_trace_recorded(false);
  auto unrecorded = OperatorOrderJson(order, "http://127.0.0.1:9411/zipkin/traces/");
  EXPECT_EQ(unrecorded["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(unrecorded["trace_url"].is_null());
  order.set_trace_recorded(true);

  // An order placed before traces were recorded: null, like the order's other absent fields.
  order.clear_trace_id();
  auto untraced = OperatorOrderJson(order, "http://127.0.0.1:9411/zipkin/traces/");
  EXPECT_TRUE(untraced["trace_id"].is_null());
  EXPECT_TRUE(untraced["trace_url"].is_null());

  // Only a W3C trace id goes into a link.
  for (const char* id : {"4BF92F3577B34DA6A3CE929D0E0E4736", "00000000000000000000000000000000", "4bf92f35",
                         "4bf92f3577b34da6a3ce929d0e0e4736/../../admin", "4bf92f3577b34da6a3ce929d0e0e473g"}) {
    order.set_trace_id(id);
    auto odd = OperatorOrderJson(order, "http://127.0.0.1:9411/zipkin/traces/");
    EXPECT_EQ(odd["trace_id"], id);
    EXPECT_TRUE(odd["trace_url"].is_null()) << id;
  }
}

TEST(AdminBodyTest, ANewProductIsReadWhole) {
  auto body = json::parse(R"({"sku": "HOM-LP-9", "name": "Lamp", "description": "Warm\nlight",
      "price": {"amount_minor": 2500, "currency": "USD"}, "category_id": "home", "image_url": "https://x.test/l.png"})");
  std::vector<http::FieldError> errors;
  auto request = ReadNewProduct(&body, errors);
  EXPECT_TRUE(errors.empty()) << http::Summarize(errors);
  EXPECT_EQ(request.sku(), "HOM-LP-9");
  EXPECT_EQ(request.description(), "Warm\nlight");
  EXPECT_EQ(request.price().amount_minor(), 2500);
  EXPECT_EQ(request.price().currency(), "USD");
  EXPECT_EQ(request.category_id(), "home");
}

TEST(AdminBodyTest, ANewProductNamesEveryBadField) {
  auto body = json::parse(R"({"sku": 7, "name": "", "price": {"amount_minor": -1, "currency": "usd"},
                              "image_url": 7})");
  std::vector<http::FieldError> errors;
  ReadNewProduct(&body, errors);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"sku", "name", "price.amount_minor", "price.currency",
                                                      "category_id", "image_url"}));
  errors.clear();
  ReadNewProduct(nullptr, errors);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"sku", "name", "price", "price.amount_minor",
                                                      "price.currency", "category_id"}));
}

// The SKU pattern is the catalog's rule: a well-formed string goes to the catalog as sent, and
// the catalog's INVALID_ARGUMENT naming "sku" is the 400 (gateway_admin_test shows it end to end).
TEST(AdminBodyTest, ANewProductLeavesTheSkuPatternToTheCatalog) {
  auto body = json::parse(R"({"sku": "lamp-1", "name": "Lamp", "price": {"amount_minor": 2500, "currency": "USD"},
                              "category_id": "home"})");
  std::vector<http::FieldError> errors;
  auto request = ReadNewProduct(&body, errors);
  EXPECT_TRUE(errors.empty()) << http::Summarize(errors);
  EXPECT_EQ(request.sku(), "lamp-1");
}

TEST(AdminBodyTest, APatchChangesOnlyWhatItNames) {
  auto body = json::parse(R"({"price": {"amount_minor": 1999, "currency": "USD"}, "active": false})");
  std::vector<http::FieldError> errors;
  auto request = ReadProductPatch(&body, errors);
  EXPECT_TRUE(errors.empty()) << http::Summarize(errors);
  EXPECT_EQ(std::vector<std::string>(request.update_mask().paths().begin(), request.update_mask().paths().end()),
            (std::vector<std::string>{"price", "active"}));
  EXPECT_EQ(request.product().price().amount_minor(), 1999);
  EXPECT_FALSE(request.product().active());
}

TEST(AdminBodyTest, APatchRefusesNothingUnknownAndWrongTypes) {
  std::vector<http::FieldError> errors;
  auto empty = json::object();
  ReadProductPatch(&empty, errors);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"body"}));

  errors.clear();
  auto body = json::parse(R"({"sku": "NEW-SKU", "active": "yes", "name": 5})");
  ReadProductPatch(&body, errors);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"sku", "name", "active"}));
}

TEST(AdminBodyTest, AnAdjustmentNeedsANonZeroDeltaAndAKnownReason) {
  auto good = json::parse(R"({"delta": 5, "reason": "restock", "note": "pallet 7\nchecked"})");
  std::vector<http::FieldError> errors;
  auto request = ReadAdjustment(&good, errors);
  EXPECT_TRUE(errors.empty()) << http::Summarize(errors);
  EXPECT_EQ(request.delta(), 5);
  EXPECT_EQ(request.reason(), inventorypb::ADJUSTMENT_REASON_RESTOCK);
  EXPECT_EQ(request.note(), "pallet 7\nchecked");
  EXPECT_TRUE(request.actor().empty()) << "the route sets the actor, never the body";

  auto bad = json::parse(R"({"delta": 0, "reason": "RESTOCK", "note": 3})");
  ReadAdjustment(&bad, errors);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"delta", "reason", "note"}));
  EXPECT_EQ(errors[0].detail, "must not be 0");

  errors.clear();
  auto huge = json::parse(R"({"delta": 5000000, "reason": "unspecified"})");
  ReadAdjustment(&huge, errors);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"delta", "reason"}));
}

TEST(AdminBodyTest, AnAdjustmentKeyIsAStableUuidPerOperatorAndKey) {
  const auto key = AdjustmentKey("account-1", "press-42");
  EXPECT_EQ(key.size(), 36u);
  EXPECT_EQ(key[14], '4');
  EXPECT_EQ(key, AdjustmentKey("account-1", "press-42"));
  EXPECT_NE(key, AdjustmentKey("account-2", "press-42"));
  EXPECT_NE(key, AdjustmentKey("account-1", "press-43"));
}

}  // namespace
}  // namespace storefront::gateway::routes::admin
